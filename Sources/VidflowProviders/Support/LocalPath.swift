import Foundation
import VidflowCore

/// Turns a stage's path parameter (relative to the working directory, or a `file://` URL) into an absolute path.
enum LocalPath {
    static func resolve(_ text: String) -> String {
        var path = text
        if text.hasPrefix("file://"), let url = URL(string: text), url.isFileURL {
            path = url.path
        }
        if path.hasPrefix("~") { path = NSString(string: path).expandingTildeInPath }
        if !path.hasPrefix("/") { path = FileManager.default.currentDirectoryPath + "/" + path }
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The resolved path of an existing regular file, or an `invalid_input` failure naming the parameter.
    static func existingFile(_ text: String, parameter: String) throws -> String {
        let path = resolve(text)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw StageFailure(.invalidInput, "\(parameter): no file at '\(text)' (resolved to \(path))")
        }
        return path
    }
}
