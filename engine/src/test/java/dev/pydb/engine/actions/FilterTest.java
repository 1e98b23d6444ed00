package dev.pydb.engine.actions;

import static dev.pydb.engine.actions.ActionTesting.failure;
import static dev.pydb.engine.actions.ActionTesting.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.pydb.api.ErrorCode;
import dev.pydb.api.query.Filter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterTest {
    private static final JsonNode DOC = json("""
            {'name': 'Ann', 'age': 30, 'score': 2.5, 'vip': true, 'nick': null,
             'tags': ['a', 'b'], 'address': {'city': 'Oslo', 'zip': '0150', 'geo': {'lat': 59.9}},
             'emoji': '😀', 'big': 12345678901234567890}""");

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            {}                                         | true
            {'name': 'Ann'}                            | true
            {'name': 'ann'}                            | false
            {'age': 30}                                | true
            {'age': 30.0}                              | true
            {'age': 3.0e1}                             | true
            {'age': '30'}                              | false
            {'score': 2.50}                            | true
            {'big': 12345678901234567890}              | true
            {'big': 12345678901234567891}              | false
            {'vip': true}                              | true
            {'vip': 1}                                 | false
            {'nick': null}                             | true
            {'missing': null}                          | false
            {'tags': ['a', 'b']}                       | true
            {'tags': ['b', 'a']}                       | false
            {'tags': 'a'}                              | false
            {'address': {'zip': '0150', 'city': 'Oslo', 'geo': {'lat': 59.90}}} | true
            {'address': {'city': 'Oslo'}}              | false
            {'address.city': 'Oslo'}                   | true
            {'address.geo.lat': 59.9}                  | true
            {'address.geo.lat.x': 59.9}                | false
            {'name.first': 'Ann'}                      | false
            {'name': 'Ann', 'age': 31}                 | false
            {'name': 'Ann', 'age': 30}                 | true
            {'age': {'$gt': 29}}                       | true
            {'age': {'$eq': 30}}                       | true
            {'age': {'$eq': 31}}                       | false
            {'missing': {'$eq': null}}                 | false
            {'age': {'$nin': [1, 2]}}                  | true
            {'age': {'$nin': [30, 2]}}                 | false
            {'missing': {'$nin': [30]}}                | true
            {'$or': [{'age': 1}, {'name': 'Ann'}]}     | true
            {'$or': [{'age': 1}, {'name': 'Bob'}]}     | false
            {'$and': [{'age': 30}, {'name': 'Ann'}]}   | true
            {'$and': [{'age': 30}, {'name': 'Bob'}]}   | false
            {'name': 'Ann', '$or': [{'age': 1}, {'vip': true}]} | true
            {'name': 'Bob', '$or': [{'age': 1}, {'vip': true}]} | false
            {'$or': [{}, {'name': 'Bob'}]}             | true
            {'age': {'$gt': 30}}                       | false
            {'age': {'$gte': 30.0}}                    | true
            {'age': {'$lt': 30.5}}                     | true
            {'age': {'$lte': 29.99}}                   | false
            {'age': {'$gt': 18, '$lt': 65}}            | true
            {'age': {'$gt': 18, '$lt': 30}}            | false
            {'age': {'$gt': '1'}}                      | false
            {'name': {'$gt': 'Al', '$lt': 'Bo'}}       | true
            {'name': {'$gte': 'Ann'}}                  | true
            {'name': {'$gt': 'Ann'}}                   | false
            {'name': {'$lt': 5}}                       | false
            {'emoji': {'$gt': '\uffff'}}               | true
            {'big': {'$gt': 1.0e19}}                   | true
            {'missing': {'$lt': 100}}                  | false
            {'nick': {'$lt': 'z'}}                     | false
            {'age': {'$ne': 31}}                       | true
            {'age': {'$ne': 30.0}}                     | false
            {'age': {'$ne': '30'}}                     | true
            {'missing': {'$ne': 1}}                    | true
            {'nick': {'$ne': null}}                    | false
            {'age': {'$in': [1, 30.0, 'x']}}           | true
            {'age': {'$in': ['30']}}                   | false
            {'age': {'$in': []}}                       | false
            {'missing': {'$in': [null]}}               | false
            {'tags': {'$in': [['a', 'b']]}}            | true
            {'nick': {'$exists': true}}                | true
            {'missing': {'$exists': true}}             | false
            {'missing': {'$exists': false}}            | true
            {'address.city': {'$exists': false}}       | false
            {'address.country': {'$exists': false}}    | true
            """)
    void matches(String filter, boolean expected) {
        assertThat(Filter.parse(json(filter)).matches(DOC)).isEqualTo(expected);
    }

    @Test
    void anEmptyObjectValueIsEqualityWithAnEmptyObject() {
        Filter filter = Filter.parse(json("{'meta': {}}"));

        assertThat(filter.matches(json("{'meta': {}}"))).isTrue();
        assertThat(filter.matches(json("{'meta': {'a': 1}}"))).isFalse();
    }

    @Test
    void aMissingOrNullFilterMatchesEverything() {
        assertThat(Filter.parse(null).matchesAll()).isTrue();
        assertThat(Filter.parse(NullNode.getInstance()).matchesAll()).isTrue();
        assertThat(Filter.parse(json("{}")).matchesAll()).isTrue();
        assertThat(Filter.parse(json("{'a': 1}")).matchesAll()).isFalse();
    }

    @Test
    void theCompiledFilterDoesNotDependOnTheRequestNode() {
        com.fasterxml.jackson.databind.node.ObjectNode source = (com.fasterxml.jackson.databind.node.ObjectNode) json("{'age': {'$in': [30]}}");
        Filter filter = Filter.parse(source);

        ((com.fasterxml.jackson.databind.node.ArrayNode) source.get("age").get("$in")).removeAll();

        assertThat(filter.matches(DOC)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            [1]                                | field 'filter' must be an object
            'age'                              | field 'filter' must be an object
            {'$or': []}                        | operator '$or' in filter needs a non-empty array of filters
            {'$and': [1]}                      | operator '$and' in filter needs an array of filter objects
            {'$nor': [{'a': 1}]}               | unknown filter operator '$nor'
            {'age': {'$nin': 1}}               | operator '$nin' on 'age' needs an array
            {'age': {'$regex': 'x'}}           | unknown filter operator '$regex' on 'age'
            {'age': {'$gt': 1, 'x': 2}}        | mixes operators and field names
            {'age': {'$gt': true}}             | operator '$gt' on 'age' needs a number or a string
            {'age': {'$lte': [1]}}             | operator '$lte' on 'age' needs a number or a string
            {'age': {'$in': 1}}                | operator '$in' on 'age' needs an array
            {'age': {'$exists': 1}}            | operator '$exists' on 'age' needs true or false
            {'a..b': 1}                        | invalid field path 'a..b'
            {'': 1}                            | invalid field path ''
            {'a.': 1}                          | invalid field path 'a.'
            """)
    void malformedFiltersAreBadRequestsNamingTheProblem(String filter, String message) {
        assertThat(failure(() -> Filter.parse(json(filter)), ErrorCode.BAD_REQUEST)).hasMessageContaining(message);
    }
}
