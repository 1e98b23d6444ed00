package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.json;
import static dev.pydb.engine.actions.ActionTesting.normalized;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MergePatchTest {
    /** RFC 7386, Appendix A: every example. */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {'a':'b'}                 | {'a':'c'}                      | {'a':'c'}
            {'a':'b'}                 | {'b':'c'}                      | {'a':'b','b':'c'}
            {'a':'b'}                 | {'a':null}                     | {}
            {'a':'b','b':'c'}         | {'a':null}                     | {'b':'c'}
            {'a':['b']}               | {'a':'c'}                      | {'a':'c'}
            {'a':'c'}                 | {'a':['b']}                    | {'a':['b']}
            {'a':{'b':'c'}}           | {'a':{'b':'d','c':null}}       | {'a':{'b':'d'}}
            {'a':[{'b':'c'}]}         | {'a':[1]}                      | {'a':[1]}
            ['a','b']                 | ['c','d']                      | ['c','d']
            {'a':'b'}                 | ['c']                          | ['c']
            {'a':'foo'}               | null                           | null
            {'a':'foo'}               | 'bar'                          | 'bar'
            {'e':null}                | {'a':1}                        | {'e':null,'a':1}
            [1,2]                     | {'a':'b','c':null}             | {'a':'b'}
            {}                        | {'a':{'bb':{'ccc':null}}}      | {'a':{'bb':{}}}
            """)
    void rfc7386AppendixA(String original, String patch, String expected) {
        assertThat(normalized(MergePatch.apply(json(original), json(patch)))).isEqualTo(json(expected));
    }

    /** RFC 7386, section 3. */
    @Test
    void rfc7386Section3Example() {
        JsonNode target = json("""
                {'title': 'Goodbye!', 'author': {'givenName': 'John', 'familyName': 'Doe'},
                 'tags': ['example', 'sample'], 'content': 'This will be unchanged'}""");
        JsonNode patch = json("""
                {'title': 'Hello!', 'phoneNumber': '+01-123-456-7890', 'author': {'familyName': null},
                 'tags': ['example']}""");

        assertThat(normalized(MergePatch.apply(target, patch))).isEqualTo(json("""
                {'title': 'Hello!', 'author': {'givenName': 'John'}, 'tags': ['example'],
                 'content': 'This will be unchanged', 'phoneNumber': '+01-123-456-7890'}"""));
    }

    @Test
    void aMissingTargetIsTreatedAsNoValue() {
        assertThat(normalized(MergePatch.apply(null, json("{'a':{'b':null,'c':1}}")))).isEqualTo(json("{'a':{'c':1}}"));
    }

    @Test
    void neitherArgumentIsModified() {
        JsonNode target = json("{'a':{'b':1,'c':2},'d':[1]}");
        JsonNode patch = json("{'a':{'b':null,'x':{'y':1}},'d':[2]}");
        JsonNode targetCopy = target.deepCopy();
        JsonNode patchCopy = patch.deepCopy();

        JsonNode result = MergePatch.apply(target, patch);
        ((com.fasterxml.jackson.databind.node.ObjectNode) result.get("a").get("x")).put("z", 3);

        assertThat(normalized(result)).isEqualTo(json("{'a':{'c':2,'x':{'y':1,'z':3}},'d':[2]}"));
        assertThat(target).isEqualTo(targetCopy);
        assertThat(patch).isEqualTo(patchCopy);
    }
}
