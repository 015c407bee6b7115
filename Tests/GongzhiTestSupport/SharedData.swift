import Foundation
import GongzhiCore

/// Locations of the shared test data (`../shared` beside the package root) and a fixed clock.
public enum SharedData {
    /// The package root, found from this file's path.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package root.
    public static let root: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    public static var samples: URL { root.appendingPathComponent("samples") }
    public static var realworldCases: URL { root.appendingPathComponent("cases/realworld") }
    public static var fixtures: URL { root.appendingPathComponent("fixtures") }
    public static var catalogFile: URL { root.appendingPathComponent("catalog/catalog.yaml") }

    /// The fixed "today" every test validates against: 2026-11-29.
    public static let today = CalendarDate(year: 2026, month: 11, day: 29)!

    /// Names of the sub-directories of `url`, sorted.
    public static func directories(in url: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        return names.filter { name in
            var isDir: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDir) && isDir.boolValue
        }.sorted()
    }
}
