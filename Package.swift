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
        // Reading the kernel's chains, planning and applying changes through libiptc.
        .library(name: "RiptKernel", targets: ["RiptKernel"]),
        .executable(name: "ript", targets: ["ript"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(name: "RiptDSL"),
        // Mechanism the other modules share: threads and `Later`, phase
        // tracing, the clock, file reading, private directories, running programs.
        .target(name: "RiptSupport"),
        .target(
            name: "RiptCore",
            dependencies: [
                "RiptDSL",
                "RiptSupport",
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftParser", package: "swift-syntax"),
                .product(name: "SwiftParserDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // libiptc, the legacy x_tables library iptables-legacy uses (apt: libiptc-dev).
        .systemLibrary(name: "CIPTables", pkgConfig: "libip4tc", providers: [.apt(["libiptc-dev", "libip6tc-dev"])]),
        // The kernel side: read, diff, apply. The only module that talks to libiptc.
        .target(name: "RiptKernel", dependencies: ["RiptCore", "RiptSupport", "CIPTables"]),
        // glibc's mallopt, for the CLI's start (Sources/ript/Ript.swift).
        .systemLibrary(name: "CMalloc"),
        .executableTarget(
            name: "ript",
            dependencies: [
                "RiptCore",
                "RiptKernel",
                "RiptSupport",
                "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A numbered UDP stream for the zero-downtime tests (Tests/ExampleTests/ReliabilityTests.swift).
        .executableTarget(name: "ript-traffic", path: "Tests/Traffic"),
        .testTarget(name: "RiptCoreTests", dependencies: ["RiptCore", "RiptDSL", "RiptSupport"]),
        .testTarget(name: "RiptKernelTests", dependencies: ["RiptKernel", "RiptCore", "CIPTables"]),
        // Depends on the executable so `swift test` builds the `ript` the golden tests run.
        .testTarget(name: "ExampleTests", dependencies: ["RiptCore", "RiptDSL", "RiptKernel", "ript", "ript-traffic"]),
    ],
    swiftLanguageModes: [.v6]
)
