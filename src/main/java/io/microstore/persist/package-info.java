/**
 * Where the local engine's committed changes live: memory ({@link io.microstore.persist.MemoryPersistence})
 * or a data directory ({@link io.microstore.persist.JournalPersistence}). This page is the one description
 * of the data directory's format and of its files' lifecycle; the classes point here. The package imports
 * nothing from {@code store} or {@code api}.
 *
 * <h2>The files of a data directory</h2>
 *
 * <pre>
 * LOCK                                   held with FileChannel.tryLock while a process uses the directory
 * snapshot-&lt;seq, 20 digits&gt;.jsonl       every app as of seq: header, one record per app, footer
 * journal-&lt;first seq, 20 digits&gt;.jsonl  one record per committed change, from first seq on (a segment)
 * *.tmp                                  unfinished writes: deleted at start
 * *.broken                               damaged bytes set aside by recovery or --repair: never read
 * </pre>
 *
 * {@code DataFiles} names them, {@code DirectoryLock} holds {@code LOCK}, {@code Segments} writes the
 * journal, {@code Snapshots} writes and reads snapshots, {@code Records} encodes and decodes lines,
 * {@code Recovery} reads it all back at start and {@code Repair} makes every change to damaged files.
 *
 * <h2>Records</h2>
 *
 * Every line of a journal or snapshot is one compact JSON object, so {@code jq} can read the files, ending
 * in a CRC32C ({@link java.util.zip.CRC32C}) of all the line's bytes before {@code ,"crc"}, so that
 * recovery can tell a whole record from a torn or damaged one:
 *
 * <pre>
 * record   = "{" seq "," ( change / txn ) "," crc "}" LF
 * seq      = %s"\"seq\":" 1*DIGIT                      ; global sequence number, previous + 1
 * change   = op "," name [ "," data [ "," expires ] ]   ; one put or delete
 * op       = %s"\"op\":\"put\"" / %s"\"op\":\"delete\""
 * name     = %s"\"name\":" json-string                  ; the app's name
 * data     = %s"\"data\":" json-value                   ; compact; only for put
 * expires  = %s"\"expires\":" 1*18DIGIT                 ; only for a put with a time to live: epoch millis
 * txn      = %s"\"op\":\"txn\",\"ops\":[" sub *( "," sub ) "]"   ; a transaction: all its changes at seq
 * sub      = "{" change "}"                             ; the same members as a record of one change
 * crc      = %s"\"crc\":\"" 8HEXDIG "\""                  ; CRC32C, lower case, of the bytes before ",\"crc\""
 *
 * header   = "{" %s"\"snapshot\":" 1*DIGIT ",\"version\":1" "," crc "}" LF   ; snapshot files only
 * footer   = "{" %s"\"count\":" 1*DIGIT "," crc "}" LF                      ; number of records before it
 * </pre>
 *
 * Example: {@code {"seq":1,"op":"put","name":"config","data":{"color":"blue"},"crc":"05ab18d3"}}. The
 * seq of a journal record is exactly the previous one + 1, across segments; a segment's name holds the seq
 * of its first record. A snapshot record carries the seq of the app's last change (snapshots hold only
 * puts). Only changes that happened are logged (put or delete), never a request that failed its
 * precondition.
 *
 * <p>A transaction that changes several apps is one record, one line with one CRC, whose {@code ops} each
 * hold what a record of that one change holds:
 * {@code {"seq":7,"op":"txn","ops":[{"op":"put","name":"a","data":{"x":1}},{"op":"delete","name":"b"}],"crc":"..."}}.
 * All its changes get its seq. Since a torn or damaged line is never replayed in part, recovery after a
 * crash at any byte applies all of a transaction or none of it: a torn transaction record at the end is
 * cut off whole like any torn record, and damage inside one elsewhere refuses the start like any damage.
 * A transaction that changes one app is written as a plain record.
 *
 * <p>A put of a value with a time to live ({@code PUT ?ttl=}) carries its absolute deadline, {@code
 * "expires"}, after its data: {@code {"seq":2,"op":"put","name":"lock","data":"me","expires":1767225600000,
 * "crc":"..."}}; a snapshot record keeps it while the app lives. A JSON value never ends in {@code
 * ,"expires":<digits>} (a number holds no quote), so the data before it is unambiguous; files written
 * before expiry existed have no such member and load unchanged. When a deadline passes, the local engine
 * writes an ordinary delete record (with {@code If-Match} of the version that carried it), so the
 * journal needs nothing else: recovery brings the deadline back, and one that passed while the process
 * was down is deleted right after the load, with a new seq.
 *
 * <h2>Writing</h2>
 *
 * The engine's writer calls {@code append}, {@code write()} and whatever changes the open segment one
 * at a time, under its lock. Writes append their records, and the writer's syncer thread {@code write()}s
 * all those appended since its last turn in one go and, under fsync {@code always}, {@code sync()}s once
 * before it acknowledges them (group commit), while the next writes append (a {@code sync()} runs beside
 * an {@code append}; a write is acknowledged only after a {@code sync()} that began after its
 * {@code write()} returned). When to sync is the writer's decision, not this package's. Whatever changes
 * the open segment (a compaction's cut, the start-up work a full disk postponed) runs when everything
 * written is synced and published ({@code compactionDue()} tells the writer when to). A failed fsync, or
 * a write that failed for any reason but space, is fail-stop: the writer stops taking writes and never
 * retries an fsync (after a failed fsync the kernel may have dropped the dirty pages, so the page cache
 * no longer tells what is on disk), and nothing written after the failed fsync began is acknowledged
 * either; once the journal's state on disk is unknown (a failed cut or journal
 * fsync in a compaction) {@code write()} and {@code sync()} refuse too.
 *
 * <p>A write that fails for lack of space (ENOSPC, EDQUOT: {@link io.microstore.persist.OutOfSpace}
 * recognises them) is not: the bytes of the batch that did get appended are truncated off again and the
 * cut is synced, so the segment ends at the last whole record as before, and {@code write()} throws
 * {@code OutOfSpace}. The writer refuses the batch and probes for room ({@code probeSpace()}: write and
 * delete {@code space-probe.tmp}, at most 64 KiB) about every second until writes fit again. At start,
 * work that needs room and finds none (the {@code .broken} copy of a torn tail, the first segment) is
 * left for the first write or probe: the store loads and serves reads meanwhile.
 *
 * <h2>Compaction</h2>
 *
 * Once the journal outgrows {@code max(minJournalBytes, snapshot size)} the writer cuts it at its last
 * seq S: fsync and close the current segment, create {@code journal-(S+1)}, fsync it and the directory.
 * A thread of its own then writes {@code snapshot-S.jsonl.tmp} from a {@link
 * io.microstore.persist.SnapshotSource} while writes go on, so the view may be fuzzy: it may hold changes
 * after S. All of them are in the journal already, but (with fsync interval or never) perhaps not
 * durable yet, so the order is:
 *
 * <ol>
 *   <li>write and fsync the {@code .tmp} file;</li>
 *   <li>fsync the journal segment (a snapshot must never hold an effect that is not durable in the
 *       journal; if this fails the journal is failed too);</li>
 *   <li>rename the {@code .tmp} file to {@code snapshot-S.jsonl} (atomic) and fsync the directory;</li>
 *   <li>only then delete the segments whose records are all at or before S and the older snapshots,
 *       and fsync the directory (a failure here only leaves harmless files for later).</li>
 * </ol>
 *
 * Replaying the records after S over such a snapshot gives the exact state, because each record sets or
 * removes a whole value (as in ZooKeeper). A failed compaction leaves the journal whole (its {@code .tmp}
 * is deleted; without room for {@code journal-(S+1)} the journal goes on in the segment just closed); it
 * is tried again later.
 *
 * <h2>Recovery</h2>
 *
 * At start, after deleting {@code *.tmp}: load the newest snapshot that passes every check (header seq as
 * in its name, every CRC, footer count). If it is damaged, fall back to an older one (or none) only when
 * the journal still holds every record after that one; the damaged snapshot is then set aside as
 * {@code .broken}. Then replay the segments from S+1, checking every CRC and that each seq is the previous
 * one + 1 (a missing segment is damage too). A bad record at the very end of the last segment with no
 * valid record after it is what a crash in the middle of a write leaves (a torn tail): it is cut off with
 * a warning, its bytes kept in a {@code .broken} file. Damage anywhere else stops start-up with {@link
 * io.microstore.persist.JournalDamaged}, naming the file, the byte offset and the way out, because
 * acknowledged writes after it could be lost. The files are read and checked on the loading thread while
 * a second one ({@code PipelinedSink}) applies what passed, in order; the load returns once it has.
 *
 * <p>{@code --repair} runs the same recovery but, at damage, cuts the segment at its last good record
 * (the original kept as {@code .broken}; a segment with no good record before the damage is set aside
 * whole) and sets every later segment aside. It reports each change; starting normally afterwards
 * works.
 */
package io.microstore.persist;
