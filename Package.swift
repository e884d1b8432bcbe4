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
        // glibc's mallopt, for the CLI's start (Sources/ript/Memory.swift).
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
        // A numbered UDP stream for the zero-downtime test (Tests/ReliabilityTests/ZeroDowntimeTests.swift).
        .executableTarget(name: "ript-traffic", path: "Tests/Traffic"),
        // What the test targets share: finding and running the built binaries,
        // scratch directories, golden files, and network namespaces with their
        // shell library (namespace.sh, topology.sh: sourced by the tests'
        // scripts, checked by shellcheck in ProjectTests).
        .target(name: "TestSupport", path: "Tests/TestSupport", exclude: ["namespace.sh", "topology.sh", "firewall.sh"]),
        .testTarget(name: "RiptCoreTests", dependencies: ["RiptCore", "RiptDSL", "TestSupport", "RiptSupport", .product(name: "SwiftParser", package: "swift-syntax")]),
        .testTarget(name: "RiptKernelTests", dependencies: ["RiptKernel", "RiptCore", "RiptSupport", "CIPTables"]),
        // The targets below run the built `ript` (and ript-traffic): depending on
        // the executables makes `swift test` build them before the tests run.
        // `generate` output against examples/, the caches, the loader against
        // swiftc, and the human and machine interfaces (JSON schema).
        .testTarget(name: "GoldenTests", dependencies: ["TestSupport", "RiptCore", "RiptDSL", "ript"]),
        // apply, load and diff against the kernel, in network namespaces.
        .testTarget(name: "KernelTests", dependencies: ["TestSupport", "ript"]),
        // Zero downtime, crash safety, a concurrent writer, --confirm, hostile input in the kernel.
        .testTarget(name: "ReliabilityTests", dependencies: ["TestSupport", "ript", "ript-traffic"]),
        // Man pages, shell completions, the .deb's unit, config management.
        .testTarget(name: "PackagingTests", dependencies: ["TestSupport", "RiptCore", "ript"]),
    ],
    swiftLanguageModes: [.v6]
)
