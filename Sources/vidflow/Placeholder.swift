@main struct VidflowMain { static func main() {} }
