import Foundation
import GongzhiServer
import Testing
import Vapor
import VaporTesting

/// The OpenAPI document (issue 14 §4) against the routes the application registers: every `/api/v1` route is
/// documented, every documented operation exists, and the document hangs together (every `$ref` resolves,
/// every operation answers something and says who may call it).
@Suite("OpenAPI document ↔ registered API routes")
struct OpenAPIContractTests {
    /// `GET /api/v1/openapi.json`, served without a token.
    static func document(_ app: Application) async throws -> [String: Any] {
        var document: [String: Any] = [:]
        try await app.testing().test(.GET, "api/v1/openapi.json") { res async throws in
            #expect(res.status == .ok)
            #expect(res.headers.contentType == .json)
            document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
        }
        return document
    }

    /// `GET /api/v1/submissions/{id}` for the route `/api/v1/submissions/:id`.
    static func key(_ route: Route) -> String {
        let path = route.path.map { component -> String in
            let text = component.description
            return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
        }
        return "\(route.method.rawValue) /" + path.joined(separator: "/")
    }

    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options"]

    @Test("every registered /api/v1 route is in the document, and every documented operation is a route")
    func coverage() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let document = try await Self.document(app)
            #expect((document["openapi"] as? String)?.hasPrefix("3.1") == true)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, item in
                item.keys.filter(Self.methods.contains).map { "\($0.uppercased()) \(path)" }
            })
            let registered = Set(app.routes.all.filter { $0.path.first?.description == "api" }.map(Self.key))
            let undocumented = registered.subtracting(documented).sorted()
            let missing = documented.subtracting(registered).sorted()
            #expect(undocumented.isEmpty, "routes missing from Resources/openapi.json:\n\(undocumented.joined(separator: "\n"))")
            #expect(missing.isEmpty, "documented operations without a route:\n\(missing.joined(separator: "\n"))")
            #expect(registered.count >= 28)
        }
    }

    @Test("every $ref resolves, every operation has responses and path parameters, and each says who may call it")
    func consistency() async throws {
        try await AppHarness.withApp { app, _ async throws in
            let document = try await Self.document(app)
            var refs: [String] = []
            func collect(_ value: Any) {
                if let object = value as? [String: Any] {
                    if let ref = object["$ref"] as? String { refs.append(ref) }
                    object.values.forEach(collect)
                } else if let array = value as? [Any] {
                    array.forEach(collect)
                }
            }
            collect(document)
            #expect(!refs.isEmpty)
            for ref in Set(refs) {
                var node: Any? = document
                for part in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(part)] }
                #expect(ref.hasPrefix("#/") && node != nil, "unresolved \(ref)")
            }
            let components = document["components"] as? [String: Any]
            let parameters = components?["parameters"] as? [String: [String: Any]] ?? [:]
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            for (path, item) in paths {
                let placeholders = Set(path.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                for (method, value) in item where Self.methods.contains(method) {
                    let operation = try #require(value as? [String: Any])
                    let responses = operation["responses"] as? [String: Any] ?? [:]
                    #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(method) \(path) has no success response")
                    #expect((operation["description"] as? String)?.contains("Who:") == true, "\(method) \(path) does not say who may call it")
                    let named = (operation["parameters"] as? [[String: Any]] ?? []).compactMap { p -> [String: Any]? in
                        if let ref = p["$ref"] as? String { return parameters[String(ref.split(separator: "/").last ?? "")] }
                        return p
                    }
                    let inPath = Set(named.filter { $0["in"] as? String == "path" }.compactMap { $0["name"] as? String })
                    #expect(inPath == placeholders, "\(method) \(path): path parameters \(inPath.sorted()) ≠ \(placeholders.sorted())")
                }
            }
        }
    }
}
