import RiptDSL

Partition("foobar") {
}
