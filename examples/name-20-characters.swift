import RiptDSL

// 20 characters is the longest partition name: NAME-aHASH is then 28, the
// longest chain name libiptc keeps intact.
Partition("name_exactly_20_char") {
}
