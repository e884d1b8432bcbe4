import RiptDSL

/* Everything the loader accepts besides the words: block comments,
   semicolons, parentheses, underscores and hex in integers, escapes and
   raw strings, and non-ASCII text (columns count UTF-8 bytes, as swiftc's do). */
Partition("syntax") {
    Label("café", address: "192.0.2.80"); Label(#"back\slash"#, address: "192.0.2.81")
    Label("tab\there", address: "192.0.2.82")

    Accept("café ☕ → web", log: false) { Ports(0x50, 8_080, (9000...9100)); To("café") }
    Rewrite("parenthesised mapping") {
        Ports((10_000...10_100) => 80)
        DNAT(["back\\slash"] => "café")
    }
    Drop("escaped label") { From("tab\there") }
}
