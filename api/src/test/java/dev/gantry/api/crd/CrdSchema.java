package dev.gantry.api.crd;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * A committed CRD's schema, applied to objects the way the API server applies it for the features Gantry's CRDs use:
 * defaults first, then {@code required}, {@code enum}, {@code pattern}, string and list bounds, and the CEL rules in
 * {@code x-kubernetes-validations} (transition rules only on update), reporting each failure at its field path. It
 * stands in for a real API server, which cannot run on the build machines; it reads the committed files so that what
 * is tested is what is installed. Public (the api module's test-jar) so the e2e module checks the example resources
 * with it too.
 */
public final class CrdSchema {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final CelCompiler CEL = CelCompilerFactory.standardCelCompilerBuilder()
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .build();
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    private static final Map<String, CelRuntime.Program> PROGRAMS = new ConcurrentHashMap<>();

    private final Map<String, Object> root;

    private CrdSchema(Map<String, Object> root) {
        this.root = root;
    }

    /** Loads {@code crds/<plural>.gantry.dev-v1.yml} from the committed folder. */
    static CrdSchema committed(String plural) {
        return of(CrdFiles.committed().resolve(plural + ".gantry.dev-v1.yml"));
    }

    /** Loads the schema of a CRD file's first (only) version. */
    public static CrdSchema of(Path file) {
        try {
            Map<String, Object> crd = map(YAML.readValue(Files.readString(file), Map.class));
            Map<String, Object> version = map(((List<?>) map(crd.get("spec")).get("versions")).get(0));
            return new CrdSchema(map(map(version.get("schema")).get("openAPIV3Schema")));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The field paths the API server would refuse on create. */
    public Set<String> violations(HasMetadata object) {
        return violations(object, null);
    }

    /** The field paths the API server would refuse on update from {@code old}. */
    Set<String> violations(HasMetadata object, HasMetadata old) {
        Object value = toPlain(object);
        Object oldValue = old == null ? null : toPlain(old);
        applyDefaults(root, value);
        applyDefaults(root, oldValue);
        Set<String> paths = new LinkedHashSet<>();
        validate(root, value, oldValue, old != null, "", paths);
        return paths;
    }

    private static Object toPlain(HasMetadata object) {
        return normalise(SERIALIZATION.convertValue(object, Map.class));
    }

    /** CEL integers are 64-bit; Jackson hands out Integers for small numbers. */
    private static Object normalise(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put((String) k, normalise(v)));
            return copy;
        }
        if (value instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(normalise(v)));
            return copy;
        }
        return value;
    }

    private static void applyDefaults(Map<String, Object> schema, Object value) {
        if (value instanceof Map<?, ?> rawObject && schema.get("properties") instanceof Map<?, ?> properties) {
            Map<String, Object> object = map(rawObject);
            map(properties).forEach((name, propertySchema) -> {
                Map<String, Object> ps = map(propertySchema);
                if (!object.containsKey(name) && ps.containsKey("default")) {
                    object.put(name, normalise(ps.get("default")));
                }
                applyDefaults(ps, object.get(name));
            });
        } else if (value instanceof List<?> list && schema.get("items") instanceof Map<?, ?> items) {
            list.forEach(item -> applyDefaults(map(items), item));
        }
    }

    private static void validate(Map<String, Object> schema, Object value, Object old, boolean hasOld, String path,
            Set<String> out) {
        if (value == null) {
            return;
        }
        if (schema.get("enum") instanceof List<?> allowed && !allowed.contains(value)) {
            out.add(path);
        }
        if (value instanceof String s) {
            validateString(schema, s, path, out);
        } else if (value instanceof List<?> list) {
            if (schema.get("maxItems") instanceof Number max && list.size() > max.longValue()) {
                out.add(path);
            }
            if (schema.get("items") instanceof Map<?, ?> items) {
                for (int i = 0; i < list.size(); i++) {
                    // Items of a plain (atomic) list are not correlated with old items: no transition rules there.
                    validate(map(items), list.get(i), null, false, path + "[" + i + "]", out);
                }
            }
        } else if (value instanceof Map<?, ?> rawObject) {
            Map<String, Object> object = map(rawObject);
            Map<String, Object> oldObject = old instanceof Map<?, ?> o ? map(o) : Map.of();
            if (schema.get("required") instanceof List<?> required) {
                required.stream().filter(r -> !object.containsKey(r)).forEach(r -> out.add(join(path, "." + r)));
            }
            if (schema.get("properties") instanceof Map<?, ?> properties) {
                map(properties).forEach((name, propertySchema) -> validate(map(propertySchema), object.get(name),
                        oldObject.get(name), hasOld && oldObject.containsKey(name), join(path, "." + name), out));
            }
        }
        if (schema.get("x-kubernetes-validations") instanceof List<?> rules) {
            for (Object r : rules) {
                Map<String, Object> rule = map(r);
                String expression = (String) rule.get("rule");
                boolean transition = expression.contains("oldSelf");
                if (transition && !hasOld) {
                    continue;
                }
                if (!holds(expression, value, old)) {
                    out.add(join(path, (String) rule.getOrDefault("fieldPath", "")));
                }
            }
        }
    }

    private static void validateString(Map<String, Object> schema, String s, String path, Set<String> out) {
        if (schema.get("maxLength") instanceof Number max && s.length() > max.longValue()) {
            out.add(path);
        } else if (schema.get("minLength") instanceof Number min && s.length() < min.longValue()) {
            out.add(path);
        } else if (schema.get("pattern") instanceof String pattern && !Pattern.compile(pattern).matcher(s).find()) {
            // OpenAPI patterns are unanchored (ECMA/RE2 search); ours carry ^…$ themselves.
            out.add(path);
        }
    }

    /** A rule that fails to evaluate (e.g. a missing field) is a violation, as on the API server. */
    private static boolean holds(String expression, Object self, Object oldSelf) {
        CelRuntime.Program program = PROGRAMS.computeIfAbsent(expression, e -> {
            try {
                return RUNTIME.createProgram(CEL.compile(e).getAst());
            } catch (Exception ex) {
                throw new IllegalStateException("CEL rule does not compile: " + e, ex);
            }
        });
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", self);
        if (oldSelf != null) {
            vars.put("oldSelf", oldSelf);
        }
        try {
            return Boolean.TRUE.equals(program.eval(vars));
        } catch (Exception e) {
            return false;
        }
    }

    private static String join(String path, String fieldPath) {
        String joined = path + fieldPath;
        return joined.startsWith(".") ? joined.substring(1) : joined;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }
}
