import VidflowCore

extension OutboundURLPolicy {
    /// Refuses up front, with a 400 naming `field`, a user-given URL whose literal host (or `localhost`)
    /// the policy does not allow; names are resolved and checked again when the URL is used.
    func checkRequestURL(_ text: String, field: String) throws(APIError) {
        do {
            try checkLiteral(text)
        } catch {
            throw APIError.badRequest(error.description, field: field)
        }
    }
}
