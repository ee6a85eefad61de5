import CCurl
import Foundation

/// HTTP through libcurl (TLS by OpenSSL). Each request is one easy handle on its own thread, so the
/// blocking transfer never holds a Swift concurrency thread.
public struct CurlTransport: HTTPTransport {
  public var connectTimeoutSeconds = 30
  /// A transfer slower than 1 byte/s for this long is dropped (a stalled connection).
  public var stallSeconds = 60
  /// The whole exchange's limit (health checks); nil: none, for downloads of any size.
  public var totalSeconds: Int?

  public init(totalSeconds: Int? = nil) {
    self.totalSeconds = totalSeconds
    Self.globalInit
  }

  private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

  /// What the C callbacks reach through their `userdata` pointer.
  final class Exchange {
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var status = 0
    let onBody: BodyHandler?
    var failure: (any Error)?
    let handle: UnsafeMutableRawPointer

    init(handle: UnsafeMutableRawPointer, onBody: BodyHandler?) {
      self.handle = handle
      self.onBody = onBody
    }
  }

  public func send(_ request: HTTPRequest, onBody: BodyHandler?) async throws -> HTTPResponse {
    let connectTimeout = connectTimeoutSeconds
    let stall = stallSeconds
    let total = totalSeconds
    return try await withCheckedThrowingContinuation { continuation in
      Thread.detachNewThread {
        continuation.resume(
          with: Result { try Self.perform(request, onBody: onBody, connectTimeout: connectTimeout, stall: stall, total: total) })
      }
    }
  }

  static func perform(_ request: HTTPRequest, onBody: BodyHandler?, connectTimeout: Int, stall: Int, total: Int? = nil) throws
    -> HTTPResponse
  {
    guard let handle = curl_easy_init() else { throw HTTPError.transport(url: request.url, reason: "libcurl could not start") }
    defer { curl_easy_cleanup(handle) }
    let exchange = Exchange(handle: handle, onBody: onBody)
    let context = Unmanaged.passUnretained(exchange).toOpaque()

    var headerList: UnsafeMutablePointer<curl_slist>?
    for (name, value) in request.headers { headerList = curl_slist_append(headerList, "\(name): \(value)") }
    defer { curl_slist_free_all(headerList) }

    _ = sl_curl_set_string(handle, CURLOPT_URL, request.url)
    _ = sl_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
    _ = sl_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
    // Larger reads mean fewer callbacks, writes and hash updates per gigabyte.
    _ = sl_curl_set_long(handle, CURLOPT_BUFFERSIZE, 512 * 1024)
    _ = sl_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout)
    _ = sl_curl_set_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1)
    _ = sl_curl_set_long(handle, CURLOPT_LOW_SPEED_TIME, stall)
    _ = sl_curl_set_string(handle, CURLOPT_USERAGENT, "synapse-local/0.1 (libcurl)")
    if request.method == "HEAD" { _ = sl_curl_set_long(handle, CURLOPT_NOBODY, 1) }
    if let timeout = request.timeout {
      _ = sl_curl_set_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout / .milliseconds(1)))
    } else if let total {
      _ = sl_curl_set_long(handle, CURLOPT_TIMEOUT, total)
    }
    if let body = request.body {
      _ = sl_curl_set_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
      // COPYPOSTFIELDS: libcurl keeps its own copy, so the array need not outlive this call.
      _ = body.withUnsafeBytes { sl_curl_set_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)) }
    }
    _ = sl_curl_set_pointer(handle, CURLOPT_HTTPHEADER, UnsafeMutableRawPointer(headerList))
    _ = sl_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, headerCallback)
    _ = sl_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)
    _ = sl_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, writeCallback)
    _ = sl_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)

    let code = withExtendedLifetime(exchange) { curl_easy_perform(handle) }
    if let failure = exchange.failure { throw failure }
    guard code == CURLE_OK else {
      if code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY {
        throw HTTPError.unresolvable(url: request.url, host: HTTPError.host(of: request.url))
      }
      throw HTTPError.transport(url: request.url, reason: String(cString: curl_easy_strerror(code)))
    }
    var status = 0
    _ = sl_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
    return HTTPResponse(status: status, headers: exchange.headers, body: exchange.body)
  }
}

/// Header lines, one per call; a new status line (after a 100 Continue) starts the set afresh.
private let headerCallback: sl_curl_callback = { data, size, count, context in
  let length = size * count
  guard let data, let context else { return length }
  let exchange = Unmanaged<CurlTransport.Exchange>.fromOpaque(context).takeUnretainedValue()
  let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    .trimmingCharacters(in: .whitespacesAndNewlines)
  if line.hasPrefix("HTTP/") {
    exchange.headers = [:]
    exchange.status = Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
  } else if let colon = line.firstIndex(of: ":") {
    let name = line[..<colon].lowercased()
    exchange.headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
  }
  return length
}

/// Body chunks: streamed to `onBody` for a 2xx answer, collected otherwise (an error's text).
private let writeCallback: sl_curl_callback = { data, size, count, context in
  let length = size * count
  guard let data, let context else { return length }
  let exchange = Unmanaged<CurlTransport.Exchange>.fromOpaque(context).takeUnretainedValue()
  let bytes = UnsafeRawBufferPointer(start: data, count: length)
  if let onBody = exchange.onBody, (200..<300).contains(exchange.status) {
    do {
      try onBody(exchange.status, bytes)
    } catch {
      exchange.failure = error
      return 0  // makes libcurl abort the transfer
    }
  } else if exchange.body.count < 1 << 20 {
    exchange.body += Array(bytes)
  }
  return length
}
