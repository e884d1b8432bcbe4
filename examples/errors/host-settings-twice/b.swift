import RiptDSL

// A second partition may not set them too.
Partition("second") {
    ConnectionTracking()
}
