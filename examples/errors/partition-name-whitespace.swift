import RiptDSL

Partition("space in my name") {
}
