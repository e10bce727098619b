package io.superflux.cli;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * Loads the application child-first, so that the libraries it brings (its own Jackson, say) are
 * the ones it gets, whatever version flux.jar carries. Parent-first, as Flink's
 * {@code parent-first-patterns}: the JDK, Flux itself ({@code io.superflux}), and the libraries
 * Flux's API is made of or that must be one per process: kafka-clients, SLF4J and logback,
 * Typesafe Config, Micrometer. A class the parent lacks is still looked for in the application.
 */
final class ApplicationClassLoader extends URLClassLoader {
    /** Packages that always come from flux.jar (or the JDK) when it has them. */
    static final List<String> PARENT_FIRST = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.", "org.w3c.", "org.xml.",
            "io.superflux.", "org.apache.kafka.", "org.slf4j.", "ch.qos.logback.", "com.typesafe.config.", "io.micrometer.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();

    ApplicationClassLoader(URL[] urls, ClassLoader parent) {
        super("flux-application", urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                loaded = parentFirst(name) ? fromParentThenHere(name) : fromHereThenParent(name);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }

    private Class<?> fromParentThenHere(String name) throws ClassNotFoundException {
        try {
            return getParent().loadClass(name);
        } catch (ClassNotFoundException e) {
            return findClass(name);
        }
    }

    private Class<?> fromHereThenParent(String name) throws ClassNotFoundException {
        try {
            return platform.loadClass(name); // the JDK's own modules beyond the prefixes
        } catch (ClassNotFoundException notJdk) {
            try {
                return findClass(name);
            } catch (ClassNotFoundException notHere) {
                return getParent().loadClass(name);
            }
        }
    }

    @Override
    public URL getResource(String name) {
        if (parentFirst(name.replace('/', '.'))) {
            return super.getResource(name);
        }
        URL here = findResource(name);
        return here != null ? here : getParent().getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (parentFirst(name.replace('/', '.'))) {
            return super.getResources(name);
        }
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(getParent().getResources(name)));
        return Collections.enumeration(all);
    }

    static boolean parentFirst(String name) {
        for (String prefix : PARENT_FIRST) {
            if (name.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
