// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ript",
    platforms: [.macOS(.v15)],
    products: [
        // What rule authors write against: rule files are plain Swift over this library.
        .library(name: "RiptDSL", targets: ["RiptDSL"]),
        // The compiler core: load → evaluate → compile → render.
        .library(name: "RiptCore", targets: ["RiptCore"]),
        .executable(name: "ript", targets: ["ript"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "RiptDSL"),
        .target(
            name: "RiptCore",
            dependencies: [
                "RiptDSL",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftParserDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "ript",
            dependencies: [
                "RiptCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "RiptCoreTests", dependencies: ["RiptCore", "RiptDSL"]),
        // Depends on the executable so `swift test` builds the `ript` the golden tests run.
        .testTarget(name: "ExampleTests", dependencies: ["RiptCore", "RiptDSL", "ript"]),
    ],
    swiftLanguageModes: [.v6]
)
