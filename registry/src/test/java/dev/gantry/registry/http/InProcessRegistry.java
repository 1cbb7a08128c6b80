package dev.gantry.registry.http;

import dev.gantry.registry.RegistryBeans;
import dev.gantry.registry.config.GantryConfig;
import dev.gantry.registry.storage.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The registry's real {@code /v2} routes, handlers, services and stores on a Vert.x server in this JVM, wired the way
 * Quarkus wires them (the {@link RegistryBeans} producers, {@code @Inject} fields) by a few lines of reflection.
 *
 * <p>For fuzzing, where {@code @QuarkusTest} cannot serve: its JUnit interceptor runs test methods itself and so
 * skips Jazzer's, which must drive the fuzzing loop. In-process, the fuzzer also sees the server code's coverage.
 */
final class InProcessRegistry implements AutoCloseable {
    private final Map<Class<?>, Object> beans = new HashMap<>();
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;

    InProcessRegistry(Path dataDir) throws Exception {
        GantryConfig config = new SmallRyeConfigBuilder().withMapping(GantryConfig.class)
                .withConverter(Duration.class, 200, new DurationConverter()) // "10s", as Quarkus reads it
                .withConverter(io.quarkus.runtime.configuration.MemorySize.class, 200,
                        new io.quarkus.runtime.configuration.MemorySizeConverter()) // "64G"
                .withSources(new PropertiesConfigSource(Map.of("gantry.data-dir", dataDir.toString()),
                        "in-process-registry", 500))
                .build().getConfigMapping(GantryConfig.class);
        beans.put(GantryConfig.class, config);
        beans.put(MeterRegistry.class, new SimpleMeterRegistry());
        beans.put(RegistryBeans.class, new RegistryBeans());
        Router router = Router.router(vertx);
        bean(DistributionRoutes.class).register(router);
        server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    int port() {
        return server.actualPort();
    }

    /** The instance of {@code type}, made (and its dependencies) on first use, as CDI's singletons are. */
    <T> T bean(Class<T> type) {
        Object existing = beans.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        try {
            T made = produce(type);
            if (made == null) {
                made = construct(type);
            }
            beans.put(type, made);
            return made;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make a " + type.getName(), e);
        }
    }

    private <T> T produce(Class<T> type) throws ReflectiveOperationException {
        for (Method method : RegistryBeans.class.getDeclaredMethods()) {
            if (method.isAnnotationPresent(Produces.class) && method.getReturnType() == type) {
                method.setAccessible(true);
                return type.cast(method.invoke(bean(RegistryBeans.class), arguments(method.getParameterTypes())));
            }
        }
        return null;
    }

    private <T> T construct(Class<T> type) throws ReflectiveOperationException {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalStateException("no producer for " + type.getName() + ": add one to InProcessRegistry");
        }
        Constructor<?>[] constructors = type.getDeclaredConstructors();
        if (constructors.length != 1) {
            throw new IllegalStateException(type.getName() + " has " + constructors.length + " constructors");
        }
        constructors[0].setAccessible(true);
        T instance = type.cast(constructors[0].newInstance(arguments(constructors[0].getParameterTypes())));
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(Inject.class)) {
                    field.setAccessible(true);
                    field.set(instance, bean(field.getType()));
                }
            }
        }
        return instance;
    }

    private Object[] arguments(Class<?>[] types) {
        Object[] arguments = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            arguments[i] = bean(types[i]);
        }
        return arguments;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (beans.get(Database.class) instanceof Database database) {
            database.close();
        }
    }
}
