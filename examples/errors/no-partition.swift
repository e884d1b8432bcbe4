import RiptDSL

// A rule file with only comments in it.
