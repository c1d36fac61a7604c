import Hummingbird
import NIOCore
import PluginHostCore
import PluginStore

/// Every non-2xx answer of the API: `{"code", "message", "problems"?}` with a project code, a
/// sentence saying what to do, and validation problems when there are some. Never a stack
/// trace: an error that is not one of these becomes a 500 with a generic sentence.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: ProblemCode
    public let message: String
    public let problems: [Problem]?

    public init(_ status: HTTPResponse.Status, _ code: ProblemCode, _ message: String, problems: [Problem]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.problems = problems
    }

    /// A store failure as the API answers it: not found is 404, a version conflict 412, a bad
    /// argument 400, anything else 503 (the database is the server's problem, not the client's).
    public init(_ error: StoreError) {
        switch error.code {
        case .notFound: self.init(.notFound, .notFound, error.message)
        case .versionConflict: self.init(.preconditionFailed, .versionConflict, error.message)
        case .invalidArgument: self.init(.badRequest, .invalidRequest, error.message)
        default: self.init(.serviceUnavailable, error.code, error.message)
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var document: JSONObject = ["code": .string(code.rawValue), "message": .string(message)]
        if let problems { document["problems"] = .array(problems.map { $0.json() }) }
        return JSONResponse.make(status, .object(document))
    }
}

/// A store failure thrown by a route is answered as ``APIError/init(_:)`` says, so routes call
/// the store directly.
extension StoreError: HTTPResponseError {
    public var status: HTTPResponse.Status { APIError(self).status }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(self).response(from: request, context: context)
    }
}

/// JSON answers, written with the project's own writer (the same bytes the CLI prints).
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        make(status, bytes: JSONWriter.bytes(value), headers: headers)
    }

    /// A document already written as JSON bytes.
    static func make(_ status: HTTPResponse.Status, bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
