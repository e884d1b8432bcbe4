import RiptDSL

// Rule files are evaluated, never run: no variables.
let web = "192.0.2.10"

Partition("variables") {
    Label("web", address: web)
}
