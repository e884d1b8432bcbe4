import RiptDSL

Partition("") {
}
