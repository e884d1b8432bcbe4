import RiptDSL

// The same name as first.swift: partition names are unique across files.
Partition("foobar") {
}
