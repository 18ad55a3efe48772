import Foundation
import Testing

/// `lumbung serve` cuts off slow and silent clients (header, body and idle timeouts) and holds
/// at most `--max-connections`, while ordinary requests go on as before.
@Suite(.serialized) struct SlowClientTests {
    /// Short timeouts: a 1 s header, 2 s body, 3 s idle.
    static let shortTimeouts = ["--header-timeout", "1", "--body-timeout", "2", "--idle-timeout", "3"]

    @Test func halfSentHeadsAreClosedAfterTheHeaderTimeout() async throws {
        let server = try LiveServer(arguments: Self.shortTimeouts)
        var connections: [RawConnection] = []
        for _ in 0..<20 {
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            connections.append(connection)
        }
        for connection in connections {
            let reading = await connection.read(for: 10)
            #expect(reading.closed, "a half-sent head is closed")
            #expect(reading.seconds < 6, "within the 1 s header timeout (and slack), not the 3 s idle one")
            #expect(!reading.text.contains("200 OK"))
        }
        // A head trickled a byte at a time is cut at the header timeout too, however busy.
        let trickle = try RawConnection(port: server.port)
        let started = Date()
        var closed = false
        for character in "GET /health HTTP/1.1\r\nHost: x\r\n" {
            guard (try? trickle.send(String(character))) != nil else { closed = true; break }
            let reading = await trickle.read(for: 0.3)
            if reading.closed { closed = true; break }
        }
        #expect(closed, "a trickled head is closed")
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(try await Self.healthAnswers(port: server.port), "ordinary requests still work")
    }

    @Test func aBodyThatStopsIsClosedAfterTheBodyTimeout() async throws {
        let server = try LiveServer(arguments: Self.shortTimeouts)
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /v1/households HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"nomor_kk\":")
        let reading = await connection.read(for: 10)
        #expect(reading.closed, "a body that stops is closed")
        #expect(reading.seconds >= 1.5 && reading.seconds < 7, "after the 2 s body timeout: \(reading.seconds)")
        #expect(try await Self.healthAnswers(port: server.port))
        #expect(!server.log.contains("request failed"), "a client's stalled body is not a server error: \(server.log)")
    }

    @Test func anIdleKeepAliveConnectionIsClosedAfterTheIdleTimeout() async throws {
        let server = try LiveServer(arguments: Self.shortTimeouts)
        let connection = try RawConnection(port: server.port)
        let sent = Date()
        try connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = await connection.read(for: 5, until: #""status":"ok"}"#)
        #expect(answer.text.hasPrefix("HTTP/1.1 200 OK") && !answer.closed, "answered and kept alive: \(answer.text)")
        let idle = await connection.read(for: 10)
        #expect(idle.closed, "an idle keep-alive connection is closed")
        // Measured from the send: the idle deadline starts after the answer, so a close under
        // 2.5 s is the 1 s header deadline, whatever the machine's load delayed.
        let idleSeconds = idle.ended.timeIntervalSince(sent)
        #expect(idleSeconds >= 2.5 && idleSeconds < 15, "after the 3 s idle timeout, not the 1 s header one: \(idleSeconds)")
        // The same after an answer from the persons fast path, which answers before the router.
        let page = try RawConnection(port: server.port)
        try page.send("GET /v1/households?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nConnection: close\r\n\r\n")
        let listed = await page.read(for: 10).text
        let nikRange = try #require(listed.range(of: #""nik":"[0-9]{16}""#, options: .regularExpression), "\(listed.prefix(300))")
        let nik = listed[nikRange].dropFirst(7).dropLast()
        let person = try RawConnection(port: server.port)
        let personSent = Date()
        try person.send("GET /v1/persons/\(nik) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\n\r\n")
        let answered = await person.read(for: 5, until: "\"household\"")
        #expect(answered.text.hasPrefix("HTTP/1.1 200 OK") && !answered.closed, "\(answered.text.prefix(200))")
        let personIdle = await person.read(for: 10)
        let personIdleSeconds = personIdle.ended.timeIntervalSince(personSent)
        #expect(personIdle.closed && personIdleSeconds >= 2.5 && personIdleSeconds < 15, "closed after the idle timeout: \(personIdleSeconds)")
        // A long poll is an answer in progress, not idleness: it outlives the idle timeout.
        let poll = try RawConnection(port: server.port)
        try poll.send("GET /v1/changes?since=1000000&wait=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\n\r\n")
        let polled = await poll.read(for: 12, until: "last_sequence")
        #expect(polled.text.hasPrefix("HTTP/1.1 200 OK"), "\(polled.text.prefix(200))")
        #expect(polled.seconds >= 4.5, "the poll waited its 5 s")
    }

    @Test func connectionsOverTheCapAreRefusedWith503() async throws {
        let server = try LiveServer(arguments: ["--max-connections", "3", "--idle-timeout", "60"])
        var held: [RawConnection] = []
        for _ in 0..<3 {
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await connection.read(for: 5, until: #""status":"ok"}"#).text.hasPrefix("HTTP/1.1 200 OK"))
            held.append(connection)
        }
        let refused = try RawConnection(port: server.port)
        let reading = await refused.read(for: 5)
        #expect(reading.closed, "a connection over the cap is closed at once")
        #expect(reading.text.hasPrefix("HTTP/1.1 503"), "\(reading.text)")
        #expect(reading.text.contains(#""code":"server.busy""#))
        #expect(reading.text.lowercased().contains("retry-after: 1"))
        // A place freed is a place for the next client.
        held.removeFirst()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await Self.healthAnswers(port: server.port))
        #expect(held.count == 2)
    }

    /// `GET /health` on a new connection answers 200.
    static func healthAnswers(port: Int) async throws -> Bool {
        let connection = try RawConnection(port: port)
        try connection.send("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        return await connection.read(for: 10).text.hasPrefix("HTTP/1.1 200 OK")
    }
}

/// Requests the server cannot take are 4xx problems through the real server, never 5xx.
@Suite struct MalformedRequestTests {
    @Test func aMalformedChunkedBodyIs400() async throws {
        let server = try LiveServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /v1/households HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n")
        let reading = await connection.read(for: 10)
        #expect(reading.text.hasPrefix("HTTP/1.1 400"), "\(reading.text)")
        #expect(reading.text.contains("application/problem+json"))
        #expect(reading.text.contains(#""code":"request.invalid""#))
        #expect(!server.log.contains("request failed"), "no server error is logged")
    }

    @Test func anUnknownMethodOnARouteIs405WithAllow() async throws {
        let server = try LiveServer()
        for (method, path, allow) in [("TRACE", "/v1/households", "GET, POST"), ("PATCH", "/v1/households/1", "DELETE, GET, PUT"), ("OPTIONS", "/health", "GET")] {
            let connection = try RawConnection(port: server.port)
            try connection.send("\(method) \(path) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nConnection: close\r\n\r\n")
            let reading = await connection.read(for: 10)
            #expect(reading.text.hasPrefix("HTTP/1.1 405"), "\(method) \(path): \(reading.text)")
            #expect(reading.text.lowercased().contains("allow: \(allow.lowercased())\r\n"), "\(method) \(path): \(reading.text)")
            #expect(reading.text.contains(#""code":"request.method""#))
        }
        let missing = try RawConnection(port: server.port)
        try missing.send("TRACE /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(await missing.read(for: 10).text.hasPrefix("HTTP/1.1 404"), "no route is still 404")
    }

    @Test func aNonNumericLastEventIDIs400NamingTheHeader() async throws {
        let server = try LiveServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /v1/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nAccept: text/event-stream\r\nLast-Event-ID: JJ\r\nConnection: close\r\n\r\n")
        let reading = await connection.read(for: 10)
        #expect(reading.text.hasPrefix("HTTP/1.1 400"), "\(reading.text)")
        #expect(reading.text.contains(#""field":"Last-Event-ID""#) && reading.text.contains(#""value":"JJ""#), "\(reading.text)")
        // A numeric one still resumes the stream.
        let resumed = try RawConnection(port: server.port)
        try resumed.send("GET /v1/changes?wait=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(server.secret)\r\nAccept: text/event-stream\r\nLast-Event-ID: 3\r\nConnection: close\r\n\r\n")
        let events = await resumed.read(for: 10, until: "id: 4\n")
        #expect(events.text.hasPrefix("HTTP/1.1 200") && events.text.contains("id: 4\n") && !events.text.contains("id: 3\n"), "\(events.text.prefix(400))")
    }

    @Test func aSecondServeOnATakenPortSaysSo() throws {
        let server = try LiveServer()
        let second = try LiveServerTests.run(server.binary, ["serve", "--store", server.store, "--host", "127.0.0.1", "--port", String(server.port)], in: server.directory, seconds: 30)
        #expect(second.status == 2, "\(second.stderr)")
        #expect(second.stderr.contains("127.0.0.1:\(server.port) is already in use"), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count <= 2, "one line, no stack dump: \(second.stderr)")
    }
}
