package dev.pydb.engine.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.NullNode;
import dev.pydb.api.action.Permission;
import dev.pydb.engine.StartupException;
import dev.pydb.engine.fakes.OtherTestHandler;
import dev.pydb.engine.fakes.TestHandler;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionRegistryTest {
    private static TestHandler handler(String action) {
        return new TestHandler(action, Permission.NONE, (context, request) -> NullNode.getInstance());
    }

    @Test
    void finds_handlers_case_insensitively() {
        TestHandler incr = handler("incr");
        ActionRegistry registry = ActionRegistry.of(List.of(new ActionRegistration(incr, "class path"),
                new ActionRegistration(handler("GET"), "class path")));
        assertThat(registry.find("INCR")).containsSame(incr);
        assertThat(registry.find("Incr")).containsSame(incr);
        assertThat(registry.find("DECR")).isEmpty();
        assertThat(registry.find(null)).isEmpty();
        assertThat(registry.actions()).containsExactly("GET", "INCR");
    }

    @Test
    void two_handlers_for_one_action_fail_naming_both_classes_and_origins() {
        List<ActionRegistration> registrations = List.of(
                new ActionRegistration(handler("INCR"), "class path"),
                new ActionRegistration(new OtherTestHandler("incr"), "plugin /opt/pydb/plugins/incr"));
        assertThatThrownBy(() -> ActionRegistry.of(registrations))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("INCR")
                .hasMessageContaining(TestHandler.class.getName() + " (class path)")
                .hasMessageContaining(OtherTestHandler.class.getName() + " (plugin /opt/pydb/plugins/incr)");
    }

    @Test
    void a_handler_without_a_name_fails() {
        assertThatThrownBy(() -> ActionRegistry.of(List.of(new ActionRegistration(new OtherTestHandler(null), "x"))))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining(OtherTestHandler.class.getName());
    }
}
