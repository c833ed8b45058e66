import VidflowCore

/// Workflow documents used across the tests.
enum Docs {
    /// Two noop stages; `a` echoes the `msg` input; `sleep` slows `a` down.
    static func pair(sleepMs: Int = 0) -> JSONValue {
        [
            "name": "pair",
            "inputs": ["msg": ["type": "string", "default": "hi"], "fail": ["type": "int", "default": 0],
                       "slow": ["type": "int", "default": 0]],
            "defaults": ["retry": 1],
            "stages": [
                ["id": "a", "uses": "noop", "with": ["msg": "${{ inputs.msg }}", "sleep_ms": .int(sleepMs),
                                                     "progress_steps": .int(sleepMs > 0 ? 2 : 0)]],
                ["id": "b", "uses": "noop", "needs": ["a"], "with": ["fail_times": "${{ inputs.fail }}", "sleep_ms": "${{ inputs.slow }}"]],
            ],
        ]
    }
}
