import Foundation
import XCTest
import LoupeLang
import LoupeCommands

/// Every value kind's documentation (`help KIND`, completion, docs/language.md) names exactly
/// the attributes a value of that kind answers: one of each kind is made and compared.
final class KindDocTests: XCTestCase {
    func testEachKindsDocumentedAttributesAreItsAttributes() throws {
        let h = try quadrantHarness(perClass: 8)
        let base = h.workdir.path
        try h.lines("""
            m = resnet 20 classes=d
            run = train m d epochs=1 checkpoint=false
            e = evaluate m d.val
            r = review d
            g = diagnose run
            o = overfit m d n=2 steps=5
            lr = lr_range m d lrs=[0.1, 0.01] batches=4
            f = lr_find m d iterations=20
            export d.val "\(base)/incoming" unlabelled
            p = predict m "\(base)/incoming"
            copy p "\(base)/checked"
            v = verify p "\(base)/checked"
            u = usage
            rep = report run to="\(base)/report.html"
            fig = plot run to="\(base)/curves.png"
            """)
        let kinds = h.interpreter.registry.kinds
        var seen = Set<String>()
        for (name, value) in h.session.variables {
            guard case .object(let object) = value else { continue }
            seen.insert(object.kind)
            guard let doc = kinds[object.kind] else { XCTFail("\(name) is a \(object.kind), a kind with no documentation"); continue }
            XCTAssertEqual(Set(doc.attributes.map(\.name)), Set(object.attributeNames),
                           "the documented attributes of \(object.kind) (help \(object.kind)) differ from what \(name) answers")
        }
        XCTAssertEqual(seen, Set(kinds.keys), "a value of every documented kind was made")
    }
}
