import Foundation
import Hummingbird
import NIOCore

/// Builds `multipart/form-data` bodies as clients send them.
struct MultipartBuilder {
    let boundary = "----vidflow-test-\(UUID().uuidString)"
    var body = Data()

    mutating func field(_ name: String, _ value: String) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
    }

    mutating func file(_ name: String, filename: String, type: String, data: Data) {
        body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"\(filename)\"\r\n".utf8))
        body.append(Data("Content-Type: \(type)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n".utf8))
    }

    func finished() -> (HTTPFields, ByteBuffer) {
        var data = body
        data.append(Data("--\(boundary)--\r\n".utf8))
        return ([.contentType: "multipart/form-data; boundary=\(boundary)"], ByteBuffer(bytes: data))
    }
}
