import RiptDSL

Partition("first") {
}

Partition("second") {
}
