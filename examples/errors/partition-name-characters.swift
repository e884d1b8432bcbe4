import RiptDSL

// Chain names are built from the partition name: letters, digits, _ and . only.
Partition("café;rm") {
}
