import Foundation
import GongzhiCore
import GongzhiStore

/// Gongzhi's configuration, read once at start-up from the environment (`.env.example` lists every
/// variable). A malformed variable is reported by name, all problems at once.
public struct AppConfig: Sendable, Equatable {
    /// Which database to use.
    public enum DatabaseChoice: Sendable, Equatable {
        /// Embedded SQLite at a file path (`GONGZHI_DB`, default `./gongzhi.sqlite`); `:memory:` for tests.
        case sqlite(path: String)
        /// PostgreSQL at a `postgres://` URL (`DATABASE_URL`).
        case postgres(url: String)

        /// The SQL dialect of this choice.
        public var dialect: DatabaseDialect {
            switch self {
            case .sqlite: .sqlite
            case .postgres: .postgres
            }
        }
    }

    public var database: DatabaseChoice
    /// The largest body of any route but the uploads: forms and JSON, 1 MB.
    public static let maxFormBytes = 1 << 20
    /// Where uploaded files are kept, content-addressed (`GONGZHI_FILES`, default `./files`).
    public var filesDirectory: URL
    /// The largest upload accepted, in bytes (`GONGZHI_MAX_UPLOAD_MB`, default 200).
    public var maxUploadBytes: Int
    /// Largest total inflated size of an xlsx, in bytes (`GONGZHI_MAX_INFLATED_MB`, default 2048).
    public var maxInflatedBytes: Int
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed for the audit log's client address
    /// (`GONGZHI_TRUSTED_PROXIES`, comma-separated IPs; default none: the peer's address is recorded).
    public var trustedProxies: Set<String>

    /// Whether the session cookie is sent over HTTPS only (`GONGZHI_SECURE_COOKIES=1`, default off so that a
    /// plain-HTTP evaluation works; turn it on behind TLS).
    public var secureCookies: Bool

    /// Clients that may read `/metrics` (`GONGZHI_METRICS_ALLOW`, comma-separated addresses or CIDR blocks such
    /// as `10.8.0.0/24,::1`; default loopback only). The client is the peer, or behind a trusted proxy the
    /// address it forwards (``Vapor/Request/clientAddress``); everyone else gets 404.
    public var metricsAllowed: [AddressRange]

    /// How each request is logged (`GONGZHI_LOG_FORMAT=text|json`, default `text`).
    public var logFormat: RequestLogFormat

    /// When a year's effectiveness report (应用成效报告) is due in the following year
    /// (`GONGZHI_EFFECTIVENESS_DUE=MM-DD`, default `01-31`; 附件1 第十二条).
    public var effectivenessSchedule: EffectivenessSchedule
    /// The day of the month after a quarter by which its usage report (数据使用报告) is due
    /// (`GONGZHI_USAGE_REPORT_DUE_DAY`, 1–28, default 20).
    public var usageReportDueDay: Int

    public init(database: DatabaseChoice, filesDirectory: URL, maxUploadBytes: Int = 200 << 20,
                maxInflatedBytes: Int = 2048 << 20, trustedProxies: Set<String> = [], secureCookies: Bool = false,
                metricsAllowed: [AddressRange] = AddressRange.loopback, logFormat: RequestLogFormat = .text,
                effectivenessSchedule: EffectivenessSchedule = .standard, usageReportDueDay: Int = 20) {
        self.effectivenessSchedule = effectivenessSchedule
        self.usageReportDueDay = usageReportDueDay
        self.database = database
        self.filesDirectory = filesDirectory
        self.maxUploadBytes = maxUploadBytes
        self.maxInflatedBytes = maxInflatedBytes
        self.trustedProxies = trustedProxies
        self.secureCookies = secureCookies
        self.metricsAllowed = metricsAllowed
        self.logFormat = logFormat
    }

    /// A configuration problem, naming the variable.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public var problems: [String]
        public var description: String { "配置错误：" + problems.joined(separator: "；") }
    }

    /// Reads the configuration from `environment`.
    /// - Throws: ``Problem`` listing every malformed variable.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        var problems: [String] = []
        func nonEmpty(_ key: String) -> String? {
            guard let v = environment[key]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        func megabytes(_ key: String, default value: Int) -> Int {
            guard let text = nonEmpty(key) else { return value << 20 }
            guard let n = Int(text), n > 0 else {
                problems.append("\(key)=\(text) 不是正整数（单位 MB）")
                return value << 20
            }
            return n << 20
        }
        var database = DatabaseChoice.sqlite(path: nonEmpty("GONGZHI_DB") ?? "./gongzhi.sqlite")
        if let url = nonEmpty("DATABASE_URL") {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url: url)
            } else {
                problems.append("DATABASE_URL 必须以 postgres:// 开头")
            }
        }
        var secureCookies = false
        if let text = nonEmpty("GONGZHI_SECURE_COOKIES") {
            switch text.lowercased() {
            case "1", "true", "yes": secureCookies = true
            case "0", "false", "no": secureCookies = false
            default: problems.append("GONGZHI_SECURE_COOKIES=\(text) 应为 1 或 0")
            }
        }
        var metricsAllowed = AddressRange.loopback
        if let text = nonEmpty("GONGZHI_METRICS_ALLOW") {
            let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let bad = items.filter { AddressRange($0) == nil }
            if bad.isEmpty {
                metricsAllowed = items.compactMap(AddressRange.init)
            } else {
                problems.append("GONGZHI_METRICS_ALLOW 中 \(bad.joined(separator: "、")) 不是 IP 地址或 CIDR 网段")
            }
        }
        var logFormat = RequestLogFormat.text
        if let text = nonEmpty("GONGZHI_LOG_FORMAT") {
            if let format = RequestLogFormat(rawValue: text.lowercased()) { logFormat = format } else {
                problems.append("GONGZHI_LOG_FORMAT=\(text) 应为 text 或 json")
            }
        }
        let files = URL(fileURLWithPath: nonEmpty("GONGZHI_FILES") ?? "./files", isDirectory: true)
        var schedule = EffectivenessSchedule.standard
        if let text = nonEmpty("GONGZHI_EFFECTIVENESS_DUE") {
            if let s = EffectivenessSchedule(text: text) { schedule = s } else {
                problems.append("GONGZHI_EFFECTIVENESS_DUE=\(text) 应为 月-日，如 01-31")
            }
        }
        var usageDay = 20
        if let text = nonEmpty("GONGZHI_USAGE_REPORT_DUE_DAY") {
            if let n = Int(text), (1...28).contains(n) { usageDay = n } else {
                problems.append("GONGZHI_USAGE_REPORT_DUE_DAY=\(text) 应为 1–28 的整数")
            }
        }
        let config = AppConfig(database: database, filesDirectory: files,
                               maxUploadBytes: megabytes("GONGZHI_MAX_UPLOAD_MB", default: 200),
                               maxInflatedBytes: megabytes("GONGZHI_MAX_INFLATED_MB", default: 2048),
                               trustedProxies: Set((nonEmpty("GONGZHI_TRUSTED_PROXIES") ?? "").split(separator: ",")
                                   .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }),
                               secureCookies: secureCookies, metricsAllowed: metricsAllowed, logFormat: logFormat,
                               effectivenessSchedule: schedule, usageReportDueDay: usageDay)
        if !problems.isEmpty { throw Problem(problems: problems) }
        return config
    }
}
