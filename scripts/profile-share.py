#!/usr/bin/env python3
"""Share of a process's busy samples under metrics code (issue 22), from a dotnet-trace speedscope file.

Usage: profile-share.py TRACE.speedscope.json [--explore]

The input is what `dotnet-trace collect --profile dotnet-sampled-thread-time --format speedscope` writes:
one evented profile per thread, "O"/"C" events (open/close a frame) with timestamps in ms. The time a
stack is on top is the gap between one event and the next. Stacks whose leaf (or, for native time, whose
last managed frame) is a wait are dropped (the list and their time are printed); the rest is "busy".
Of the busy time it reports what lies under metrics code, in categories (first match wins, in order):
  b  the bench's own in-process scrape client (ScrapeSampler)
  a  the scrape: MetricsPortServer (Kestrel on the metrics port), OpenTelemetry Prometheus exporter,
     the collect (MetricReader / MeterProviderSdk / AggregatorStore snapshots, observable callbacks)
  d  NodeTelemetry sampling
  e  library instrumentation recording (Npgsql MetricsReporter, EF Core metrics, HttpClient metrics,
     runtime instrumentation, ASP.NET Core / Kestrel metrics)
  c  per-message instruments: PortalMetrics, ReceiptTelemetry.Record, System.Diagnostics.Metrics
     Counter/Histogram/Instrument recording, OpenTelemetry's MetricPoint / AggregatorStore updates
--explore prints the top leaves and the frames under native time, to decide what counts as a wait.
"""
import json
import sys
from collections import defaultdict

# Leaves (or last managed frame under native time) that mean "this thread is waiting, not running".
WAIT_PATTERNS = [
    "Monitor.Wait", "Monitor.Enter", "Monitor.ReliableEnter", "Monitor.ObjWait",
    "WaitHandle.Wait", "WaitOne", "WaitSubsystem", "WaitAny", "WaitAll", "WaitMultiple",
    "Thread.Sleep", "Thread.SleepInternal", "Thread.Join", "SpinWait", "SpinOnce", "Thread.SpinWait", "Thread.Yield",
    "SemaphoreSlim.Wait", "ManualResetEventSlim.Wait", "LowLevelLifoSemaphore", "LowLevelMonitor", "LowLevelSpinWaiter",
    "PortableThreadPool+WorkerThread.WorkerThreadStart", "PortableThreadPool+GateThread.GateThreadStart",
    "WaitThread.WaitThreadStart", "TimerQueue.TimerThread", "WaitForSignal",
    "SocketAsyncEngine.EventLoop", "Interop+Sys.WaitForSocketEvents", "Interop+Sys.Poll", "epoll",
    "Task.SpinThenBlockingWait", "Task.InternalWaitCore", "Task.Wait", "TaskAwaiter.GetResult",
    "Interop+Sys.Read(", "ConsolePal", "Interop+Sys.WaitPid", "SignalHandlerLoop", "Interop+Sys.ReadStdin",
    "FinalizerThread", "GC.WaitForPendingFinalizers", "GC.RunFinalizers", "Interop+Sys.Receive", "Socket.Receive",
    "Interop+Sys.Accept", "Socket.Accept",
    "GC.RunFinalizers", "PollGC", "FileSystemWatcher+RunningInstance.TryReadEvent", "Lock.TryEnterSlow",
]
NATIVE_LEAVES = {"UNMANAGED_CODE_TIME", "External"}   # time in native code: a wait or native work, see its caller
CPU_LEAVES = {"CPU_TIME"}                              # in managed code (cooperative mode): spinning in a wait counts as a wait
UNRESOLVED = {"?!?"}                                   # native frames the converter could not name: look further down

CATEGORIES = [
    ("b", "bench's own scrape client (ScrapeSampler)", ["ScrapeSampler"]),
    ("a", "the scrape (MetricsPortServer/Kestrel, OTel collect, Prometheus serializer)", [
        "MetricsPortServer", "OpenTelemetry.Exporter.Prometheus", "PrometheusSerializer", "PrometheusCollectionManager",
        "PrometheusExporter", "MetricReader.Collect", "MetricReader.OnCollect", "BaseExportingMetricReader",
        "MeterProviderSdk.Collect", "MetricReaderExt", "AggregatorStore.Snapshot", "Metric.Snapshot", "CollectObservableInstruments",
        "MeterListener.RecordObservableInstruments", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Builder",
    ]),
    ("d", "NodeTelemetry sampling", ["NodeTelemetry"]),
    ("e", "library instrumentation (Npgsql/EF/HttpClient/runtime/ASP.NET metrics)", [
        "Npgsql.MetricsReporter", "EntityFrameworkMetricsData", "EntityFrameworkCore.Diagnostics.Internal.EntityFrameworkMetrics",
        "System.Net.Http.Metrics", "MetricsHandler", "OpenTelemetry.Instrumentation", "System.Diagnostics.Metrics.RuntimeMetrics",
        "Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Infrastructure.KestrelMetrics", "HostingMetrics",
    ]),
    ("c", "per-message instruments (PortalMetrics, ReceiptTelemetry.Record, Counter/Histogram, OTel MetricPoint)", [
        "PortalMetrics", "ReceiptTelemetry.Record", "System.Diagnostics.Metrics.Counter", "System.Diagnostics.Metrics.Histogram",
        "System.Diagnostics.Metrics.UpDownCounter", "System.Diagnostics.Metrics.Instrument", "System.Diagnostics.Metrics.MeterListener",
        "OpenTelemetry.Metrics.MetricPoint", "OpenTelemetry.Metrics.AggregatorStore", "OpenTelemetry.Metrics.Metric.Update",
        "OpenTelemetry.Metrics.MeterProviderSdk", "OpenTelemetry.Metrics.",
    ]),
]


def load(path):
    with open(path) as f:
        doc = json.load(f)
    names = [fr["name"] for fr in doc["shared"]["frames"]]
    stacks = defaultdict(float)          # tuple(frame idx) -> ms on top
    threads = 0
    for prof in doc["profiles"]:
        if prof.get("type") != "evented":
            continue
        threads += 1
        stack, last = [], None
        for ev in prof["events"]:
            at = ev["at"]
            if stack and last is not None and at > last:
                stacks[tuple(stack)] += at - last
            last = at
            if ev["type"] == "O":
                stack.append(ev["frame"])
            else:
                # close: pop up to and including that frame (well-formed files close the top)
                if stack and stack[-1] == ev["frame"]:
                    stack.pop()
                elif ev["frame"] in stack:
                    del stack[len(stack) - 1 - stack[::-1].index(ev["frame"]):]
    return names, stacks, threads, doc


def leaf_and_caller(names, st):
    """The leaf, and the deciding frame: the innermost frame that is not a pseudo-frame or unresolved."""
    leaf = names[st[-1]]
    caller = ""
    for i in reversed(st[:-1] if leaf in NATIVE_LEAVES | CPU_LEAVES | UNRESOLVED else st):
        n = names[i]
        if n not in NATIVE_LEAVES | CPU_LEAVES | UNRESOLVED:
            caller = n
            break
    return leaf, caller


def is_wait(names, st):
    leaf, key = leaf_and_caller(names, st)
    for p in WAIT_PATTERNS:
        if p in key:
            return True, key
    return False, key


def classify(names, st):
    frames = [names[i] for i in st]
    for code, _, pats in CATEGORIES:
        for fr in frames:
            if any(p in fr for p in pats):
                return code
    return None


def short(name, n=150):
    return name if len(name) <= n else name[:n] + "..."


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    names, stacks, threads, doc = load(sys.argv[1])
    total = sum(stacks.values())
    print(f"{threads} threads, {len(stacks):,} distinct stacks, {total / 1000:,.1f} s of thread time sampled")

    leaves = defaultdict(float)
    for st, t in stacks.items():
        leaves[names[st[-1]]] += t
    print("\nTop 15 leaves, all thread time:")
    for n, t in sorted(leaves.items(), key=lambda x: -x[1])[:15]:
        print(f"  {t / 1000:9.1f} s  {100 * t / total:5.1f} %  {short(n)}")

    excluded = defaultdict(float)
    busy = {}
    for st, t in stacks.items():
        w, key = is_wait(names, st)
        if w:
            excluded[key] += t
        else:
            busy[st] = t
    busy_total = sum(busy.values())
    print(f"\nExcluded as waits: {sum(excluded.values()) / 1000:,.1f} s; by deciding frame (innermost named managed frame):")
    for n, t in sorted(excluded.items(), key=lambda x: -x[1])[:40]:
        print(f"  {t / 1000:9.1f} s  {short(n)}")
    if len(excluded) > 40:
        print(f"  ... and {len(excluded) - 40} more frames, {sum(sorted(excluded.values())[:-40]) / 1000:.1f} s")

    bleaves = defaultdict(float)
    for st, t in busy.items():
        leaf, caller = leaf_and_caller(names, st)
        bleaves[(leaf + " <- " + caller) if leaf in NATIVE_LEAVES | CPU_LEAVES | UNRESOLVED else leaf] += t
    print(f"\nBusy: {busy_total / 1000:,.1f} s of thread time. Top 15 busy leaves (pseudo-leaf <- managed frame):")
    for n, t in sorted(bleaves.items(), key=lambda x: -x[1])[:15]:
        print(f"  {t / 1000:9.1f} s  {100 * t / busy_total:5.1f} %  {short(n, 200)}")

    if "--explore" in sys.argv:
        return

    cat_t = defaultdict(float)
    cat_frames = defaultdict(lambda: defaultdict(float))
    for st, t in busy.items():
        c = classify(names, st)
        if c:
            cat_t[c] += t
            # which matching frame (outermost) put it there, for the reader to check
            for i in st:
                fr = names[i]
                pats = next(p for code, _, p in CATEGORIES if code == c)
                if any(p in fr for p in pats):
                    cat_frames[c][fr] += t
                    break
    print(f"\nOf {busy_total / 1000:,.1f} s busy:")
    print("| cat | where | busy time | share of busy |")
    print("|---|---|---|---|")
    metrics = 0.0
    for code, label, _ in sorted(CATEGORIES, key=lambda c: c[0]):
        t = cat_t.get(code, 0.0)
        metrics += t
        print(f"| ({code}) | {label} | {t / 1000:.2f} s | {100 * t / busy_total:.2f} % |")
    print(f"| | total under metrics code | {metrics / 1000:.2f} s | {100 * metrics / busy_total:.2f} % |")
    b = cat_t.get("b", 0.0)
    print(f"| | total without (b) (what a real Prometheus would leave) | {(metrics - b) / 1000:.2f} s | {100 * (metrics - b) / busy_total:.2f} % |")
    # Not counted above: ReceiptTelemetry.ExecuteAsync runs the receipt UPDATE ... RETURNING itself (needed with
    # metrics off too); its own work outside the SQL command (collecting the finals for the counters and lag
    # histogram) is metrics-only work that runs whether metrics are on or off. Shown for the reader.
    ex_total = ex_own = 0.0
    for st, t in busy.items():
        idx = [k for k, i in enumerate(st) if "ReceiptTelemetry+<ExecuteAsync>" in names[i]]
        if not idx:
            continue
        ex_total += t
        nxt = names[st[idx[-1] + 1]] if idx[-1] + 1 < len(st) else ""
        if "ReceiptTelemetry+Final" in nxt or nxt in NATIVE_LEAVES | CPU_LEAVES:   # the finals list, the lag: own frame
            ex_own += t
    print(f"\n(info, not counted) ReceiptTelemetry.ExecuteAsync: {ex_total / 1000:.2f} s busy in all (the receipt UPDATE), "
          f"of which {ex_own / 1000:.2f} s ({100 * ex_own / busy_total:.2f} %) in its own frame and the finals list (lag), on or off alike")
    for code, _, _ in sorted(CATEGORIES, key=lambda c: c[0]):
        fr = cat_frames.get(code)
        if not fr:
            continue
        print(f"\n({code}) outermost matching frames:")
        for n, t in sorted(fr.items(), key=lambda x: -x[1])[:8]:
            print(f"  {t / 1000:8.2f} s  {short(n, 180)}")


if __name__ == "__main__":
    main()
