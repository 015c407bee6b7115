import Fluent
import Foundation
import GongzhiCore
import GongzhiServer
import GongzhiStore
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// Readiness, metrics and the request log (issue 14 §3, §5).
@Suite("Operations: /ready, /metrics, JSON request log", .serialized)
struct OperationsTests {
    /// In-memory test requests have no peer address: with `""` a trusted proxy, `X-Forwarded-For` names the client.
    static let fromLoopback: HTTPHeaders = ["X-Forwarded-For": "127.0.0.1"]

    @Test("/ready answers 200 while the database answers, 503 with a reason when it fails or hangs")
    func ready() async throws {
        try await AppHarness.withApp { app, _ async throws in
            try await app.testing().test(.GET, "ready") { res async throws in
                #expect(res.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                #expect(json["status"] as? String == "ready")
            }
            // The same check with a database that fails, and one that does not answer in time.
            struct Down: Error {}
            let failed = await OperationsController.readiness(of: app.db) { _ in throw Down() }
            #expect(failed.status == .serviceUnavailable)
            #expect(failed.body.serialized().contains(#""reason":"database""#))
            #expect(failed.problem?.contains("Down") == true)
            let started = ContinuousClock.now
            let hung = await OperationsController.readiness(of: app.db, timeout: .milliseconds(200)) { _ in
                try? await Task.sleep(for: .seconds(30)) // ignores cancellation, as a stuck driver would
            }
            #expect(hung.status == .serviceUnavailable)
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(hung.body.serialized().contains("未响应"))
        }
    }

    @Test("/metrics answers loopback (and listed blocks) only; others, and forwarded requests from untrusted peers, get 404")
    func metricsAccess() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            try await app.testing().test(.GET, "metrics") { res async in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "metrics", headers: Self.fromLoopback) { res async in
                #expect(res.status == .ok)
                #expect(res.headers.first(name: .contentType)?.hasPrefix("text/plain; version=0.0.4") == true)
            }
            try await app.testing().test(.GET, "metrics", headers: ["X-Forwarded-For": "10.8.0.5"]) { res async in
                #expect(res.status == .notFound)
            }
        }
        try await AppHarness.withApp(trustedProxies: [""], adjust: { $0.metricsAllowed = ["10.8.0.0/24"] }) { app, _ async throws in
            try await app.testing().test(.GET, "metrics", headers: ["X-Forwarded-For": "10.8.0.5"]) { res async in #expect(res.status == .ok) }
            try await app.testing().test(.GET, "metrics", headers: ["X-Forwarded-For": "10.8.1.5"]) { res async in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "metrics", headers: Self.fromLoopback) { res async in #expect(res.status == .notFound) }
        }
        // A forwarded request from a peer that is no trusted proxy: its client is unknown, so it is refused.
        try await AppHarness.withApp { app, _ async throws in
            try await app.testing().test(.GET, "metrics", headers: Self.fromLoopback) { res async in #expect(res.status == .notFound) }
        }
    }

    @Test("a real loopback connection reads /metrics with the default setting")
    func metricsOverLoopback() async throws {
        try await AppHarness.withApp { app, _ async throws in
            try await app.testing(method: .running(hostname: "127.0.0.1", port: 8142)).test(.GET, "metrics") { res async throws in
                #expect(res.status == .ok)
                _ = try PrometheusText.parse(res.body.string)
            }
        }
    }

    @Test("after an upload, reads and a query, /metrics parses strictly and counts by route pattern, import, code and audit")
    func metricsAfterActivity() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { app, _ async throws in
            // given: an upload with rejected rows, its reads, a 404, a query of the unit's own records
            let (name, data, contract) = try AppHarness.sampleData("S01")
            var housing = try await AppHarness.token(app, unit: "housing")
            housing.add(name: "X-Forwarded-For", value: "192.0.2.7")
            var submissionID = ""
            try await app.testing().test(.POST, "api/v1/submissions?indicator=HOU-001&period=2024-03&file=\(name)",
                                         headers: housing, body: ByteBuffer(data: data)) { res async throws in
                #expect(res.status == .created)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(buffer: res.body)) as? [String: Any])
                submissionID = json["submission_id"] as? String ?? ""
            }
            for _ in 0..<3 {
                try await app.testing().test(.GET, "api/v1/submissions/\(submissionID)", headers: housing) { res async in
                    #expect(res.status == .ok)
                    #expect(res.headers.first(name: .xRequestId)?.isEmpty == false)
                }
            }
            try await app.testing().test(.GET, "api/v1/submissions/\(UUID().uuidString)", headers: housing) { res async in
                #expect(res.status == .notFound)
            }
            try await app.testing().test(.GET, "no/such/page/\(UUID().uuidString)") { res async in #expect(res.status == .notFound) }
            try await app.testing().test(.GET, "api/v1/records?indicator=HOU-001&from=2024-03&per=20", headers: housing) { res async in
                #expect(res.status == .ok)
            }

            // when
            var text = ""
            try await app.testing().test(.GET, "metrics", headers: Self.fromLoopback) { res async in
                #expect(res.status == .ok)
                text = res.body.string
            }

            // then: it parses strictly, and says what happened
            let families = try PrometheusText.parse(text)
            let byID = "/api/v1/submissions/:id"
            #expect(PrometheusText.value(families, "gongzhi_http_requests_total", ["method": "GET", "route": byID, "status": "2xx"]) == 3)
            #expect(PrometheusText.value(families, "gongzhi_http_requests_total", ["method": "GET", "route": byID, "status": "4xx"]) == 1)
            #expect(PrometheusText.value(families, "gongzhi_http_requests_total", ["method": "GET", "route": "unmatched", "status": "4xx"]) == 1)
            #expect(PrometheusText.value(families, "gongzhi_http_requests_total", ["method": "POST", "route": "/api/v1/submissions", "status": "2xx"]) == 1)
            #expect(PrometheusText.value(families, "gongzhi_http_request_duration_seconds_count", ["method": "GET", "route": byID, "status": "2xx"]) == 3)
            #expect(families["gongzhi_http_request_duration_seconds"]?.type == "histogram")
            // No raw path, id or query string in any label value.
            let labelValues = families.values.flatMap(\.samples).flatMap(\.labels.values)
            #expect(!labelValues.contains { $0.contains(submissionID) || $0.contains("no/such") || $0.contains("?") })

            let expected = try contract.expectedJSON()
            let accepted = try #require(expected["rows_accepted"] as? Int), rejected = try #require(expected["rows_rejected"] as? Int)
            #expect(PrometheusText.value(families, "gongzhi_import_rows_accepted_total") == Double(accepted))
            #expect(PrometheusText.value(families, "gongzhi_import_rows_rejected_total") == Double(rejected))
            #expect(PrometheusText.value(families, "gongzhi_imports_total", ["outcome": "partially_accepted"]) == 1)
            var rowsByCode: [String: Set<Int>] = [:]
            for error in expected["errors"] as? [[String: Any]] ?? [] {
                if let code = error["code"] as? String, let row = error["row"] as? Int { rowsByCode[code, default: []].insert(row) }
            }
            #expect(!rowsByCode.isEmpty)
            for (code, rows) in rowsByCode {
                #expect(PrometheusText.value(families, "gongzhi_import_rejected_rows_by_code_total", ["code": code]) == Double(rows.count), "\(code)")
            }
            #expect(PrometheusText.value(families, "gongzhi_import_gate_wait_seconds_count") == 1)
            #expect(PrometheusText.value(families, "gongzhi_imports_running") == 0)
            #expect(PrometheusText.value(families, "gongzhi_imports_queued") == 0)
            #expect(PrometheusText.value(families, "gongzhi_query_rows_served_total", ["kind": "query", "access": "own"]) == 20)
            // Every audit entry committed so far: the catalog seed, the upload, the reads, the query.
            let head = try await AuditLog(database: app.db).head()
            #expect(PrometheusText.value(families, "gongzhi_audit_appends_total") == Double(head.sequence))
            #expect((PrometheusText.value(families, "gongzhi_audit_group_commit_entries_total") ?? 0) >= 1)
            #expect(PrometheusText.value(families, "gongzhi_db_pool_max_connections", ["pool": "imports"]) != nil)
        }
    }

    @Test("each application keeps its own metrics: many apps in one process, no global bootstrap")
    func metricsPerApplication() async throws {
        try await AppHarness.withApp(trustedProxies: [""]) { first, _ async throws in
            for _ in 0..<2 { try await first.testing().test(.GET, "health") { _ async in } }
            try await AppHarness.withApp(trustedProxies: [""]) { second, _ async throws in
                try await second.testing().test(.GET, "health") { _ async in }
                for (app, count) in [(first, 2.0), (second, 1.0)] {
                    try await app.testing().test(.GET, "metrics", headers: Self.fromLoopback) { res async throws in
                        let families = try PrometheusText.parse(res.body.string)
                        #expect(PrometheusText.value(families, "gongzhi_http_requests_total",
                                                     ["method": "GET", "route": "/health", "status": "2xx"]) == count)
                    }
                }
            }
        }
    }

    @Test("GONGZHI_LOG_FORMAT=json prints one JSON line per request: id, route pattern, status, latency, account id; no path values, query or login name")
    func jsonRequestLog() async throws {
        let lines = NIOLockedValueBox<[String]>([])
        let sink = JSONLineSink { line in lines.withLockedValue { $0.append(line) } }
        try await AppHarness.withApp(adjust: { $0.logFormat = .json }, requestLog: sink) { app, _ async throws in
            let user = try await AppHarness.user(app, unit: "housing")
            let token = try await app.accounts.createToken(for: user, name: "日志")
            let headers: HTTPHeaders = ["Authorization": "Bearer \(token.token)", "X-Request-Id": "trace-42"]
            let id = UUID().uuidString.lowercased()
            try await app.testing().test(.GET, "api/v1/submissions/\(id)?secret=张三", headers: headers) { res async in
                #expect(res.status == .notFound)
                #expect(res.headers.first(name: .xRequestId) == "trace-42")
            }
            try await app.testing().test(.GET, "health") { _ async in }
            let logged = lines.withLockedValue { $0 }
            #expect(logged.count == 2)
            let firstLine = try #require(logged.first)
            let first = try #require(try JSONSerialization.jsonObject(with: Data(firstLine.utf8)) as? [String: Any])
            #expect(Set(first.keys) == ["time", "request_id", "method", "route", "status", "latency_ms", "user_id"])
            #expect(first["request_id"] as? String == "trace-42")
            #expect(first["method"] as? String == "GET")
            #expect(first["route"] as? String == "/api/v1/submissions/:id")
            #expect(first["status"] as? Int == 404)
            #expect((first["latency_ms"] as? Double).map { $0 >= 0 } == true)
            #expect(first["user_id"] as? String == user.id?.uuidString.lowercased())
            let all = logged.joined(separator: "\n")
            #expect(!all.contains(id) && !all.contains("secret") && !all.contains("张三") && !all.contains(user.username))
            let second = try #require(try JSONSerialization.jsonObject(with: Data(logged[1].utf8)) as? [String: Any])
            #expect(second["route"] as? String == "/health")
            #expect(second["user_id"] is NSNull)
            #expect((second["request_id"] as? String)?.count == 8)
        }
    }

    @Test("GONGZHI_METRICS_ALLOW and GONGZHI_LOG_FORMAT are read, checked and reported by name")
    func configuration() throws {
        let config = try AppConfig.fromEnvironment(["GONGZHI_METRICS_ALLOW": "10.8.0.0/24, ::1", "GONGZHI_LOG_FORMAT": "JSON"])
        #expect(config.metricsAllowed.map(\.description) == ["10.8.0.0/24", "::1"])
        #expect(config.logFormat == .json)
        #expect(try AppConfig.fromEnvironment([:]).metricsAllowed == AddressRange.loopback)
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONGZHI_METRICS_ALLOW": "10.8.0.0/33"]) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.fromEnvironment(["GONGZHI_LOG_FORMAT": "xml"]) }
        let block: AddressRange = "10.8.0.0/24"
        #expect(block.contains("10.8.0.255") && !block.contains("10.8.1.0") && !block.contains("fd00::1"))
        #expect(AddressRange.loopback.contains { $0.contains("127.3.4.5") })
        #expect(AddressRange.loopback.contains { $0.contains("::ffff:127.0.0.1") })
        #expect(!AddressRange.loopback.contains { $0.contains("") })
        let v6: AddressRange = "fd00::/8"
        #expect(v6.contains("fd12::7") && !v6.contains("fe80::1"))
    }
}
