import Foundation
import VidflowCore
import XCTest

final class EventHubTests: XCTestCase {
    private func event(_ id: Int64, run: String = "r1", kind: EventKind = .log) -> EventRecord {
        EventRecord(id: id, runID: run, stageID: "a", kind: kind, data: ["n": .int(Int(id))], at: Date(timeIntervalSince1970: 1_000))
    }

    /// Collects the events of a subscription until it ends or `count` arrived.
    private func collect(_ subscription: EventSubscription, count: Int) async -> [EventRecord] {
        var events: [EventRecord] = []
        for await delivery in subscription.deliveries {
            if case .event(let event) = delivery { events.append(event) }
            if events.count == count { break }
        }
        return events
    }

    func testASubscriberGetsItsRunsEventsInOrderAndNoOtherRunsEvents() async {
        let hub = EventHub()
        let subscription = hub.subscribe(to: [.run("r1"), .run("r3")])
        defer { subscription.cancel() }
        hub.publish([event(1), event(2, run: "r2"), event(3, run: "r3"), event(4)])
        let received = await collect(subscription, count: 3)
        XCTAssertEqual(received.map(\.id), [1, 3, 4])
    }

    func testEventsPublishedBeforeSubscribingAreNotDelivered() async {
        let hub = EventHub()
        hub.publish([event(1)])
        XCTAssertFalse(hub.isWatched(.run("r1")))
        let subscription = hub.subscribe(to: [.run("r1")])
        XCTAssertTrue(hub.isWatched(.run("r1")))
        hub.publish([event(2)])
        let received = await collect(subscription, count: 1)
        XCTAssertEqual(received.map(\.id), [2])
        subscription.cancel()
    }

    func testACancelledSubscriptionIsForgottenAndItsStreamEnds() async {
        let hub = EventHub()
        let subscription = hub.subscribe(to: [.run("r1")])
        XCTAssertEqual(hub.subscriberCount, 1)
        subscription.cancel()
        XCTAssertEqual(hub.subscriberCount, 0)
        XCTAssertFalse(hub.isWatched(.run("r1")))
        hub.publish([event(1)])
        let received = await collect(subscription, count: 1)
        XCTAssertEqual(received, [])
    }

    func testASubscriberThatNeverReadsIsDroppedWithoutHoldingUpThePublisherOrOthers() async {
        let hub = EventHub()
        let stalled = hub.subscribe(to: [.run("r1")], bufferLimit: 8)
        let reader = hub.subscribe(to: [.run("r1")], bufferLimit: 10_000)
        defer { reader.cancel() }
        let events = (1...5_000).map { event(Int64($0)) }
        let begin = ContinuousClock.now
        hub.publish(events)
        // Publishing returned while nobody read: a sanity bound against blocking, not a timing target.
        XCTAssertLessThan(ContinuousClock.now - begin, .seconds(10))
        XCTAssertEqual(hub.subscriberCount, 1, "the stalled subscriber is dropped, the reader kept")
        let stalledGot = await collect(stalled, count: .max)
        XCTAssertEqual(stalledGot.map(\.id), Array(1...8), "what it had buffered, then the end of its stream")
        let readerGot = await collect(reader, count: events.count)
        XCTAssertEqual(readerGot.map(\.id), events.map(\.id))
    }

    func testASubscriberOfSeveralTopicsGetsAnEventNamingThemAllOnce() async {
        let hub = EventHub()
        let subscription = hub.subscribe(to: [.run("r1"), .run("r2")])
        defer { subscription.cancel() }
        hub.publish(event(1), to: [.run("r1"), .run("r2")])
        hub.publish(event(2), to: [.run("r2")])
        let received = await collect(subscription, count: 2)
        XCTAssertEqual(received.map(\.id), [1, 2])
    }

    func testWakeDeliversNoEventAndDoesNotEndTheStream() async {
        let hub = EventHub()
        let subscription = hub.subscribe(to: [.run("r1")])
        defer { subscription.cancel() }
        subscription.wake()
        hub.publish([event(1)])
        var iterator = subscription.deliveries.makeAsyncIterator()
        guard case .wake = await iterator.next() else { return XCTFail("expected a wake first") }
        guard case .event(let first) = await iterator.next() else { return XCTFail("expected the event") }
        XCTAssertEqual(first.id, 1)
    }
}
