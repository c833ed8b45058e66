/// Workflow definitions the CLI tests run (noop stages, and `test.paid` with `VIDFLOW_TEST_STAGES=1`).
enum Workflows {
    static let chain = """
        name: chain
        inputs:
          quality: { type: string, default: medium }
          seconds: { type: int, default: 2 }
        stages:
          - { id: upload, uses: noop, with: { sleep_ms: 20 } }
          - { id: generate, uses: noop, with: { sleep_ms: 60, progress_steps: 2, seconds: "${{ inputs.seconds }}" } }
          - { id: transcode, uses: noop, with: { quality: "${{ inputs.quality }}" } }
        """

    /// `generate` fails while `fails` > 0 (one attempt only), so `transcode` and `thumbnail` are skipped.
    static let failing = """
        name: failing
        inputs:
          fails: { type: int, default: 1 }
        stages:
          - { id: upload, uses: noop }
          - id: generate
            uses: noop
            retry: 1
            with: { fail_times: "${{ inputs.fails }}", fail_kind: invalid_input }
          - { id: transcode, uses: noop }
          - { id: thumbnail, uses: noop, needs: [generate] }
        """

    static let slow = """
        name: slow
        stages:
          - { id: first, uses: noop }
          - { id: wait, uses: noop, with: { sleep_ms: 20000 } }
          - { id: after, uses: noop }
        """

    static let paid = """
        name: paid
        stages:
          - { id: pay1, uses: test.paid, with: { sleep_ms: 250 } }
          - { id: between1, uses: noop, with: { sleep_ms: 40 } }
          - { id: pay2, uses: test.paid, with: { sleep_ms: 250 } }
          - { id: between2, uses: noop, with: { sleep_ms: 40 } }
          - { id: pay3, uses: test.paid, with: { sleep_ms: 250 } }
        """

    static let invalid = """
        name: broken
        stages:
          - { id: a, uses: nope }
          - { id: b, uses: noop, needs: [zz] }
          - { id: c, uses: noop, with: { x: "${{ inputs.missing }}" } }
        """
}
