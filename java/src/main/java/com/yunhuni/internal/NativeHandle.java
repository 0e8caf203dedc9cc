package com.yunhuni.internal;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;

/**
 * The address of a native value (a client, a sandbox) and its release, once. Calls run under
 * the read lock ({@link #use}), so any number run at once; {@link #close} takes the write lock,
 * so it waits for the calls in flight and no call ever sees a freed value. The value is also
 * released when its owner is garbage-collected without being closed (a phantom reference
 * watched by one daemon thread: Java 8 has no {@code java.lang.ref.Cleaner}).
 */
public final class NativeHandle implements AutoCloseable {
    /** What a call does with the address. */
    public interface Use<T> {
        T apply(long address);
    }

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final LongConsumer free;
    private final String what;
    private long address;
    private final Watch watch;

    /** Owns {@code address}, released by {@code free} when closed or when {@code owner} is collected. */
    public NativeHandle(Object owner, long address, LongConsumer free, String what) {
        this.address = address;
        this.free = free;
        this.what = what;
        this.watch = new Watch(owner, this);
    }

    /** Runs {@code f} with the address; a closed handle is an {@code IllegalStateException}. */
    public <T> T use(Use<T> f) {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            if (address == 0) {
                throw new IllegalStateException("the " + what + " is closed");
            }
            return f.apply(address);
        } finally {
            read.unlock();
        }
    }

    public boolean isClosed() {
        ReentrantReadWriteLock.ReadLock read = lock.readLock();
        read.lock();
        try {
            return address == 0;
        } finally {
            read.unlock();
        }
    }

    /** Releases the native value (after the calls in flight); later calls fail. Idempotent. */
    @Override
    public void close() {
        ReentrantReadWriteLock.WriteLock write = lock.writeLock();
        write.lock();
        long a;
        try {
            a = address;
            address = 0;
        } finally {
            write.unlock();
        }
        watch.forget();
        if (a != 0) {
            free.accept(a);
        }
    }

    /** How many native values are held now (for tests: released ones are not counted). */
    public static int held() {
        return WATCHED.size();
    }

    private static final ReferenceQueue<Object> QUEUE = new ReferenceQueue<>();
    private static final Set<Watch> WATCHED = Collections.synchronizedSet(
            Collections.newSetFromMap(new IdentityHashMap<Watch, Boolean>()));

    static {
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Reference<?> ref = QUEUE.remove();
                    ((Watch) ref).handle.close();
                } catch (InterruptedException e) {
                    return;
                } catch (Throwable e) {
                    // Releasing must never stop the watcher.
                }
            }
        }, "yunhuni-native-release");
        t.setDaemon(true);
        t.start();
    }

    /** The phantom reference to an owner; it keeps the handle (never the owner) alive. */
    private static final class Watch extends PhantomReference<Object> {
        final NativeHandle handle;

        Watch(Object owner, NativeHandle handle) {
            super(owner, QUEUE);
            this.handle = handle;
            WATCHED.add(this);
        }

        void forget() {
            WATCHED.remove(this);
            clear();
        }
    }
}
