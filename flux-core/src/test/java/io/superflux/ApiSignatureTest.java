package io.superflux;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The public API of flux-core — every public and protected type, constructor, method and field
 * outside {@code io.superflux.internal} — is checked into {@code flux-core/api/flux-core.api}, as
 * OkHttp does, so that every change to it shows in review. The build fails when the API and the
 * file differ; {@code mvn -pl flux-core test -Dtest=ApiSignatureTest -Dapi.update=true} writes the
 * file anew from the code.
 */
class ApiSignatureTest {
    private static final Path API_FILE = Paths.get("api", "flux-core.api");

    @Test
    void thePublicApiIsTheOneCheckedIn() throws Exception {
        String current = String.join("\n", signatures()) + "\n";
        if (Boolean.getBoolean("api.update")) {
            Files.createDirectories(API_FILE.getParent());
            Files.writeString(API_FILE, current, StandardCharsets.UTF_8);
            return;
        }
        String checkedIn = Files.exists(API_FILE) ? Files.readString(API_FILE, StandardCharsets.UTF_8) : "";
        if (!current.equals(checkedIn)) {
            List<String> now = List.of(current.split("\n"));
            List<String> before = List.of(checkedIn.split("\n"));
            String added = now.stream().filter(line -> !before.contains(line)).map(line -> "  + " + line)
                    .collect(Collectors.joining("\n"));
            String removed = before.stream().filter(line -> !now.contains(line)).map(line -> "  - " + line)
                    .collect(Collectors.joining("\n"));
            fail("The public API changed and flux-core/api/flux-core.api was not updated:\n" + added + "\n" + removed
                    + "\nIf the change is meant, run: mvn -pl flux-core test -Dtest=ApiSignatureTest -Dapi.update=true");
        }
    }

    private static List<String> signatures() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Paths.get(SuperFlux.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> names;
        try (Stream<Path> files = Files.walk(classes.resolve("io/superflux"))) {
            names = files.map(classes::relativize).map(Path::toString).filter(name -> name.endsWith(".class"))
                    .filter(name -> !name.startsWith("io/superflux/internal/")).filter(name -> !name.contains("package-info"))
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.')).sorted().toList();
        }
        List<String> lines = new ArrayList<>();
        for (String name : names) {
            Class<?> type = Class.forName(name, false, ApiSignatureTest.class.getClassLoader());
            if (!isApi(type.getModifiers()) || type.isAnonymousClass() || type.isSynthetic() || !enclosedInApi(type)) {
                continue;
            }
            lines.add(type.toGenericString() + superTypes(type));
            Arrays.stream(type.getDeclaredFields()).filter(field -> isApi(field.getModifiers()) && !field.isSynthetic())
                    .map(ApiSignatureTest::field).sorted().forEach(line -> lines.add("  " + line));
            Arrays.stream(type.getDeclaredConstructors()).filter(constructor -> isApi(constructor.getModifiers()))
                    .map(Constructor::toGenericString).sorted().forEach(line -> lines.add("  " + line));
            Arrays.stream(type.getDeclaredMethods()).filter(method -> isApi(method.getModifiers()) && !method.isSynthetic()
                    && !method.isBridge()).map(Method::toGenericString).sorted().forEach(line -> lines.add("  " + line));
        }
        return lines;
    }

    private static boolean enclosedInApi(Class<?> type) {
        for (Class<?> outer = type.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
            if (!isApi(outer.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static boolean isApi(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String field(Field field) {
        return field.toGenericString();
    }

    private static String superTypes(Class<?> type) {
        StringBuilder text = new StringBuilder();
        if (type.getGenericSuperclass() != null && type.getSuperclass() != Object.class && !type.isEnum() && !type.isRecord()) {
            text.append(" extends ").append(type.getGenericSuperclass().getTypeName());
        }
        if (type.getGenericInterfaces().length > 0) {
            text.append(type.isInterface() ? " extends " : " implements ").append(Arrays.stream(type.getGenericInterfaces())
                    .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
        }
        return text.toString();
    }
}
