import RiptDSL

Partition("name_is_21_characters") {
}
