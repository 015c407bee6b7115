import GongzhiCore
import GongzhiIngest
import Vapor

/// Turns every error into a response a clerk can act on: JSON under `/api/`, an HTML page elsewhere.
/// A 500 shows a request id, never the raw error, which goes to the log.
struct GongzhiErrorMiddleware: AsyncMiddleware {
    let environment: Environment

    struct Failure: Sendable {
        var status: HTTPResponseStatus
        var code: String
        var message: String
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var failure = Self.describe(error)
            if failure.status == .payloadTooLarge, !(error is SubmissionError) {
                failure.message = "文件超过上传上限 \(request.application.gongzhi.config.maxUploadBytes >> 20) MB：请拆分后分批上传。"
            }
            let requestID = request.gongzhiRequestID
            if failure.status == .internalServerError {
                request.logger.error("request \(requestID) failed: \(String(reflecting: error))")
            } else {
                request.logger.info("request \(requestID): \(failure.code)")
            }
            if request.url.path.hasPrefix("/api/") {
                let body = ErrorBody(error: failure.code, message: failure.message, requestID: String(requestID))
                let response = Response(status: failure.status)
                try response.content.encode(body, as: .json)
                if failure.status == .unauthorized { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
                return response
            }
            let view = try await request.view.render("error", ErrorPage(
                title: "出错了", status: Int(failure.status.code), message: failure.message, requestID: String(requestID)))
            let response = try await view.encodeResponse(status: failure.status, for: request)
            return response
        }
    }

    /// Whether `error` is a body the client sent that could not be parsed: a JSON or form decoding error, or any
    /// error of MultipartKit's parser (a cut or malformed multipart body; its error types are not all public).
    static func isMalformedBody(_ error: any Error) -> Bool {
        error is DecodingError || String(reflecting: type(of: error)).hasPrefix("MultipartKit.")
    }

    static func describe(_ error: any Error) -> Failure {
        switch error {
        case let e as SubmissionError:
            let status: HTTPResponseStatus = switch e {
            case .unknownIndicator: .notFound
            case .missingIndicator, .missingPeriod, .malformedPeriod, .futurePeriod, .periodMismatch: .badRequest
            case .notPermitted: .forbidden
            case .unknownUnit, .formInsteadOfFile, .proxyNoteRequired, .explanationRequired,
                 .explanationTooLong, .periodNotOver: .badRequest
            case .recordsAlreadyFiled, .modeRequired, .replaceNotConfirmed, .periodContentMismatch, .duplicateFileOtherPeriod: .conflict
            case .duplicateFile: .conflict
            case .unreadable(.fileTooLarge): .payloadTooLarge
            case .unreadable: .unprocessableEntity
            }
            return Failure(status: status, code: e.code, message: e.message)
        case let e as SharingError:
            let status: HTTPResponseStatus = switch e {
            case .denied, .request(.roleRequired), .request(.notRequestingUnit), .request(.notProvidingUnit),
                 .request(.ownUnitDecision), .request(.noSecurityAgreement), .request(.withheld), .grant(.issuerNotAllowed), .suspended:
                .forbidden
            case .request(.invalidTransition), .alreadyDecided, .grant(.alreadyRevoked): .conflict
            case .quota: .tooManyRequests
            case .unknownIndicator, .unknownUnit, .notFound: .notFound
            default: .badRequest
            }
            return Failure(status: status, code: e.code, message: e.message)
        case let e as ReportingError:
            let status: HTTPResponseStatus = switch e {
            case .notPermitted: .forbidden
            case .unknownUnit: .notFound
            case .noCatalog: .serviceUnavailable
            default: .badRequest
            }
            return Failure(status: status, code: e.code, message: e.message)
        case let e as AuthError:
            return Failure(status: HTTPResponseStatus(statusCode: e.status), code: e.code, message: e.message)
        case let e as CatalogError:
            return Failure(status: .badRequest, code: "invalid_catalog", message: e.description)
        case let e as NoticeError:
            return Failure(status: .badRequest, code: e.code, message: e.description)
        case let e as EffectivenessFiling.Problem:
            let status: HTTPResponseStatus = switch e {
            case .alreadyFiled: .conflict
            case .notFound: .notFound
            default: .badRequest
            }
            return Failure(status: status, code: e.code, message: e.description)
        case let e as UsageReportRule.Problem:
            let status: HTTPResponseStatus = if case .alreadyFiled = e { .conflict } else { .badRequest }
            return Failure(status: status, code: e.code, message: e.description)
        case let e as AssessorEntry.Problem:
            return Failure(status: .badRequest, code: "bad_entry", message: e.message)
        case let e as ComplaintError:
            let status: HTTPResponseStatus = switch e {
            case .notAllowed, .alreadyCarried: .conflict
            case .notYourStep: .forbidden
            default: .badRequest
            }
            return Failure(status: status, code: e.code, message: e.description)
        case let e as ObjectionError:
            let status: HTTPResponseStatus = switch e {
            case .notAllowed: .conflict
            case .notYourStep: .forbidden
            default: .badRequest
            }
            return Failure(status: status, code: e.code, message: e.description)
        case let e as GongzhiHTTPError:
            return Failure(status: e.status, code: e.code, message: e.reason)
        case let e as any AbortError:
            let message: String = switch e.status {
            case .notFound: "页面或数据不存在。"
            case .payloadTooLarge: "文件超过上传上限。"
            default: e.reason
            }
            return Failure(status: e.status, code: "http_\(e.status.code)", message: message)
        case let e where isMalformedBody(e):
            return Failure(status: .badRequest, code: "malformed_body",
                           message: "请求内容的格式不正确（表单或 JSON 无法解析），未被接收：请检查后重新提交。")
        default:
            return Failure(status: .internalServerError, code: "internal_error",
                           message: "系统内部错误，请稍后重试；如仍出错，请把请求编号告诉信息中心。")
        }
    }
}

struct ErrorBody: Content {
    var error: String
    var message: String
    var requestID: String

    enum CodingKeys: String, CodingKey {
        case error, message
        case requestID = "request_id"
    }
}

struct ErrorPage: Encodable {
    var title: String
    var status: Int
    var message: String
    var requestID: String
}
