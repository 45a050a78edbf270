package dev.odooops.domain;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Values cached per key within a group (an environment's run lists, one per limit), dropped when the group is
 * told it changed. A value loaded while a change was announced is not kept: the load notes the group's
 * generation before it reads and stores its result only if the generation is still the same, so a read that
 * began before a change can never be cached after the change's announcement.
 * <p>
 * While {@link #enabled} is false (no one announces changes), every call loads.
 */
public final class GenerationCache<G, K, V> {
    private record Entry<V>(long generation, V value) {
    }

    private final Map<G, AtomicLong> generations = new ConcurrentHashMap<>();
    private final Map<G, Map<K, Entry<V>>> values = new ConcurrentHashMap<>();
    private volatile boolean enabled;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong loads = new AtomicLong();

    public V get(G group, K key, Supplier<V> load) {
        if (!enabled) {
            loads.incrementAndGet();
            return load.get();
        }
        long generation = generation(group).get();
        Map<K, Entry<V>> inGroup = values.computeIfAbsent(group, g -> new ConcurrentHashMap<>());
        Entry<V> e = inGroup.get(key);
        if (e != null && e.generation() == generation) {
            hits.incrementAndGet();
            return e.value();
        }
        loads.incrementAndGet();
        V v = load.get();
        if (enabled && generation(group).get() == generation) inGroup.put(key, new Entry<>(generation, v));
        return v;
    }

    /** The group changed: what was cached for it is not served again. */
    public void changed(G group) {
        generation(group).incrementAndGet();
        Map<K, Entry<V>> inGroup = values.get(group);
        if (inGroup != null) inGroup.clear();
    }

    /** Every group may have changed (the announcements were lost): drop everything. */
    public void changedAll() {
        generations.values().forEach(AtomicLong::incrementAndGet);
        values.clear();
    }

    /** On while someone announces changes; turning it on or off drops everything cached. */
    public void enabled(boolean on) {
        changedAll();
        this.enabled = on;
        changedAll();
    }

    public boolean enabled() {
        return enabled;
    }

    public long hits() {
        return hits.get();
    }

    public long loads() {
        return loads.get();
    }

    private AtomicLong generation(G group) {
        return generations.computeIfAbsent(group, g -> new AtomicLong());
    }
}
