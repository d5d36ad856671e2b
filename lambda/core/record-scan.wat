;; The record scanner's inner loop (see record-scanner.ts, `scanRecord`): inside a record of a records array, only
;; strings, escapes and brackets matter, and, with a filter, the strings at the record's top level. This is that loop,
;; sixteen bytes at a time inside strings (WebAssembly SIMD), where nearly every byte of a log file is.
;;
;; The caller copies a window of its chunk to WINDOW_BASE and passes positions in the chunk's coordinates: the byte at
;; chunk index `i` is at address `i + delta`. The bracket stack (one byte per open bracket, `{` or `[`) lives from
;; STACK_BASE on, and memory grows when a record nests deeper than it holds. `scan` runs until something the caller
;; must see, returns its code, and leaves the state in the exported globals:
;;   0 END          the window is done: out_pos = end; depth, string state and flags as they are.
;;   1 RECORD_END   the bracket at out_pos closed the record (depth 0).
;;   2 MEMBER       a string at the record's top level ended at out_pos (its closing quote), one the filter may need:
;;                  it starts at out_string_start (-1: in an earlier chunk) and FLAG_HAD_ESCAPE says it held escapes.
;;   3 MISMATCH     the bracket at out_pos does not close the one open at out_depth (its byte on the stack).
;;   4 NO_MEMORY    the bracket stack could not grow.
;; Flags, in and out: 1 in a string, 2 the string held an escape, 4 the first byte is escaped (a chunk ended after a
;; backslash), 8 the filter's member name was just read (its value is the next top-level string).
;;
;; Generated into record-scan-wasm.ts by `npm run build:wasm`; a unit test checks the two agree.
(module
  (memory (export "memory") 18)
  (global $out_pos (export "out_pos") (mut i32) (i32.const 0))
  (global $out_depth (export "out_depth") (mut i32) (i32.const 0))
  (global $out_string_start (export "out_string_start") (mut i32) (i32.const 0))
  (global $out_flags (export "out_flags") (mut i32) (i32.const 0))

  ;; The window starts at 0 and holds what the caller copies there, up to 64 bytes before STACK_BASE (exported: the
  ;; caller reads its window's size from it).
  (global $STACK_BASE (export "stack_base") i32 (i32.const 1048640))

  (func (export "scan")
    (param $i i32) (param $end i32) (param $delta i32) (param $depth i32) (param $flags i32) (param $string_start i32)
    (param $key_length i32) (result i32)
    (local $p i32) (local $endp i32) (local $end16 i32) (local $c i32) (local $m i32) (local $stop i32)
    (local $in_string i32) (local $had_escape i32)
    (local.set $p (i32.add (local.get $i) (local.get $delta)))
    (local.set $endp (i32.add (local.get $end) (local.get $delta)))
    (local.set $end16 (i32.sub (local.get $endp) (i32.const 16)))
    (local.set $in_string (i32.and (local.get $flags) (i32.const 1)))
    (local.set $had_escape (i32.and (local.get $flags) (i32.const 2)))
    (if (i32.and (local.get $flags) (i32.const 4))
      (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (block $end_of_window
      (loop $main
        (br_if $end_of_window (i32.ge_u (local.get $p) (local.get $endp)))
        (if (local.get $in_string)
          (then
            ;; The next '"' or '\': sixteen bytes at a time while sixteen are left, then byte by byte.
            (block $found
              (loop $vector
                (if (i32.le_s (local.get $p) (local.get $end16))
                  (then
                    (local.set $m
                      (i8x16.bitmask
                        (v128.or
                          (i8x16.eq (v128.load (local.get $p)) (i8x16.splat (i32.const 0x22)))
                          (i8x16.eq (v128.load (local.get $p)) (i8x16.splat (i32.const 0x5c))))))
                    (if (local.get $m)
                      (then
                        (local.set $p (i32.add (local.get $p) (i32.ctz (local.get $m))))
                        (br $found)))
                    (local.set $p (i32.add (local.get $p) (i32.const 16)))
                    (br $vector))))
              (loop $tail
                (br_if $end_of_window (i32.ge_u (local.get $p) (local.get $endp)))
                (local.set $c (i32.load8_u (local.get $p)))
                (br_if $found (i32.eq (local.get $c) (i32.const 0x22)))
                (br_if $found (i32.eq (local.get $c) (i32.const 0x5c)))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $tail)))
            (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5c))
              (then
                ;; The escaped byte is skipped whatever it is (the hex digits of \u hold no quote or backslash).
                (local.set $had_escape (i32.const 2))
                (local.set $p (i32.add (local.get $p) (i32.const 2)))
                (if (i32.gt_u (local.get $p) (local.get $endp))
                  (then
                    (global.set $out_pos (local.get $end))
                    (global.set $out_depth (local.get $depth))
                    (global.set $out_string_start (local.get $string_start))
                    (global.set $out_flags
                      (i32.or (i32.or (local.get $had_escape) (i32.const 5)) (i32.and (local.get $flags) (i32.const 8))))
                    (return (i32.const 0))))
                (br $main)))
            ;; The closing quote.
            (local.set $in_string (i32.const 0))
            (local.set $stop (local.get $p))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (if (i32.and
                  (i32.and (i32.eq (local.get $depth) (i32.const 1)) (i32.ge_s (local.get $key_length) (i32.const 0)))
                  (i32.ne
                    (i32.or
                      (i32.or
                        (i32.eq
                          (i32.sub (i32.sub (local.get $stop) (local.get $delta)) (local.get $string_start))
                          (local.get $key_length))
                        (i32.and (local.get $flags) (i32.const 8)))
                      (i32.or (local.get $had_escape) (i32.lt_s (local.get $string_start) (i32.const 0))))
                    (i32.const 0)))
              (then
                (global.set $out_pos (i32.sub (local.get $stop) (local.get $delta)))
                (global.set $out_depth (local.get $depth))
                (global.set $out_string_start (local.get $string_start))
                (global.set $out_flags (i32.or (local.get $had_escape) (i32.and (local.get $flags) (i32.const 8))))
                (return (i32.const 2))))
            (br $main)))
        (local.set $c (i32.load8_u (local.get $p)))
        (if (i32.eq (local.get $c) (i32.const 0x22))
          (then
            (local.set $in_string (i32.const 1))
            (local.set $had_escape (i32.const 0))
            (local.set $string_start (i32.add (i32.sub (local.get $p) (local.get $delta)) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $main)))
        ;; '{' 0x7b and '[' 0x5b differ only in bit 0x20; so do '}' 0x7d and ']' 0x5d.
        (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
          (then
            (if (i32.ge_u
                  (i32.add (global.get $STACK_BASE) (local.get $depth))
                  (i32.shl (memory.size) (i32.const 16)))
              (then
                (if (i32.lt_s (memory.grow (i32.const 16)) (i32.const 0))
                  (then
                    (global.set $out_pos (i32.sub (local.get $p) (local.get $delta)))
                    (global.set $out_depth (local.get $depth))
                    (return (i32.const 4))))))
            (i32.store8 (i32.add (global.get $STACK_BASE) (local.get $depth)) (local.get $c))
            (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $main)))
        (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7d))
          (then
            (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
            ;; '}' and ']' are their opener + 2.
            (if (i32.ne
                  (i32.load8_u (i32.add (global.get $STACK_BASE) (local.get $depth)))
                  (i32.sub (local.get $c) (i32.const 2)))
              (then
                (global.set $out_pos (i32.sub (local.get $p) (local.get $delta)))
                (global.set $out_depth (local.get $depth))
                (return (i32.const 3))))
            (if (i32.eqz (local.get $depth))
              (then
                (global.set $out_pos (i32.sub (local.get $p) (local.get $delta)))
                (global.set $out_depth (i32.const 0))
                (global.set $out_flags (i32.const 0))
                (return (i32.const 1))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $main)))
    (global.set $out_pos (local.get $end))
    (global.set $out_depth (local.get $depth))
    (global.set $out_string_start (local.get $string_start))
    (global.set $out_flags
      (i32.or (i32.or (local.get $in_string) (local.get $had_escape)) (i32.and (local.get $flags) (i32.const 8))))
    (i32.const 0))
)
