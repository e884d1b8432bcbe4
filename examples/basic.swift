import RiptDSL

// The smallest partition: no rules, still its three chains. Their existence
// is how ript knows the partition is loaded.
Partition("basic") {
}
