import Testing
@testable import PluginWorkflow

@Suite("Lane pool")
struct LanePoolTests {
    @Test("hands out the smallest free lane, reusing given-back lanes before new ones")
    func smallestFirst() {
        var pool = LanePool()
        #expect([pool.take(), pool.take(), pool.take(), pool.take()] == [0, 1, 2, 3])
        pool.give(2)
        pool.give(0)
        #expect(pool.take() == 0)
        pool.give(1)
        #expect(pool.take() == 1)
        #expect(pool.take() == 2)
        #expect(pool.take() == 4)
    }
}
