import RiptDSL

Partition("dash-in-my-name") {
}
