;; The Fluent Bit preset's fast path: whether a record is compact JSON (no whitespace between tokens,
;; as Fluent Bit writes it) whose top level is an object, nested at most maxDepth deep, whose strings
;; hold no control character and no \u escape. It answers only "certainly acceptable" (1) or "ask the
;; full scan" (0): json-bytes.ts's scanJsonObject stays the judge of everything else and gives the
;; reasons. Strings, most of a record's bytes, are read sixteen bytes at a time (SIMD).
;;
;; Memory: bytes 0 .. 8191 hold the containers open (1 object, 2 array; maxDepth is at most 5000), the
;; record is copied to 8192 on, and 16 zero bytes are written after it: a zero ends every loop (it is
;; no JSON token and a control character in a string), so no loop needs to check where the record ends.
;; Build: pnpm --filter @sluice/transforms wasm (compact-wasm.ts is generated from this file).
(module
  (memory (export "memory") 1)

  ;; After the opening quote at i - 1: the index after the closing quote, or 0 for the full scan.
  (func $string (param $i i32) (result i32)
    (local $m i32) (local $c i32) (local $v v128)
    (loop $next
      (local.set $v (v128.load align=1 (local.get $i)))
      (local.set $m (i8x16.bitmask
        (v128.or
          (v128.or (i8x16.eq (local.get $v) (v128.const i8x16 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22 0x22))
                   (i8x16.eq (local.get $v) (v128.const i8x16 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c 0x5c)))
          (i8x16.lt_u (local.get $v) (v128.const i8x16 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20 0x20)))))
      (if (i32.eqz (local.get $m))
        (then (local.set $i (i32.add (local.get $i) (i32.const 16))) (br $next)))
      (local.set $i (i32.add (local.get $i) (i32.ctz (local.get $m))))
      (local.set $c (i32.load8_u (local.get $i)))
      (if (i32.eq (local.get $c) (i32.const 0x22)) (then (return (i32.add (local.get $i) (i32.const 1)))))
      (if (i32.ne (local.get $c) (i32.const 0x5c)) (then (return (i32.const 0))))
      (local.set $c (i32.load8_u offset=1 (local.get $i)))
      (if (i32.or
            (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
                    (i32.or (i32.eq (local.get $c) (i32.const 0x2f)) (i32.eq (local.get $c) (i32.const 0x62))))
            (i32.or (i32.or (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (local.get $c) (i32.const 0x6e)))
                    (i32.or (i32.eq (local.get $c) (i32.const 0x72)) (i32.eq (local.get $c) (i32.const 0x74)))))
        (then (local.set $i (i32.add (local.get $i) (i32.const 2))) (br $next)))
      (return (i32.const 0)))
    (i32.const 0))

  ;; The index of the first byte from i on that is not a decimal digit.
  (func $digits (param $i i32) (result i32)
    (block $done (loop $more
      (br_if $done (i32.gt_u (i32.sub (i32.load8_u (local.get $i)) (i32.const 0x30)) (i32.const 9)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $more)))
    (local.get $i))

  ;; 1 when the n bytes at 8192 are such a record, else 0.
  (func (export "compact") (param $n i32) (param $maxDepth i32) (result i32)
    (local $i i32) (local $end i32) (local $depth i32) (local $key i32) (local $c i32) (local $open i32) (local $s i32)
    (local.set $end (i32.add (i32.const 8192) (local.get $n)))
    (v128.store align=1 (local.get $end) (v128.const i64x2 0 0))
    (if (i32.lt_u (local.get $n) (i32.const 2)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load8_u (i32.const 8192)) (i32.const 0x7b)) (then (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (i32.const 8193)) (i32.const 0x7d)) (then (return (i32.eq (local.get $n) (i32.const 2)))))
    (local.set $i (i32.const 8193))
    (local.set $depth (i32.const 1))
    (i32.store8 (i32.const 0) (i32.const 1))
    (local.set $key (i32.const 1))
    (loop $token
      (local.set $c (i32.load8_u (local.get $i)))
      (if (local.get $key) (then
        (if (i32.ne (local.get $c) (i32.const 0x22)) (then (return (i32.const 0))))
        (local.set $i (call $string (i32.add (local.get $i) (i32.const 1))))
        (if (i32.eqz (local.get $i)) (then (return (i32.const 0))))
        (if (i32.ne (i32.load8_u (local.get $i)) (i32.const 0x3a)) (then (return (i32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $c (i32.load8_u (local.get $i)))))
      (block $value
        (if (i32.eq (local.get $c) (i32.const 0x22)) (then
          (local.set $i (call $string (i32.add (local.get $i) (i32.const 1))))
          (if (i32.eqz (local.get $i)) (then (return (i32.const 0))))
          (br $value)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 0x7b)) (i32.eq (local.get $c) (i32.const 0x5b))) (then
          (if (i32.ge_u (local.get $depth) (local.get $maxDepth)) (then (return (i32.const 0))))
          ;; '{' + 2 is '}', '[' + 2 is ']': an empty container closes at once.
          (if (i32.eq (i32.load8_u offset=1 (local.get $i)) (i32.add (local.get $c) (i32.const 2))) (then
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $value)))
          (local.set $key (i32.eq (local.get $c) (i32.const 0x7b)))
          (i32.store8 (local.get $depth) (i32.sub (i32.const 2) (local.get $key)))
          (local.set $depth (i32.add (local.get $depth) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $token)))
        (if (i32.or (i32.eq (local.get $c) (i32.const 0x2d)) (i32.le_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 9))) (then
          (if (i32.eq (local.get $c) (i32.const 0x2d)) (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $c (i32.load8_u (local.get $i)))))
          (if (i32.eq (local.get $c) (i32.const 0x30))
            (then (local.set $i (i32.add (local.get $i) (i32.const 1))))
            (else
              (if (i32.gt_u (i32.sub (local.get $c) (i32.const 0x31)) (i32.const 8)) (then (return (i32.const 0))))
              (local.set $i (call $digits (i32.add (local.get $i) (i32.const 1))))))
          (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 0x2e)) (then
            (local.set $s (i32.add (local.get $i) (i32.const 1)))
            (local.set $i (call $digits (local.get $s)))
            (if (i32.eq (local.get $i) (local.get $s)) (then (return (i32.const 0))))))
          (local.set $c (i32.load8_u (local.get $i)))
          (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x65)) (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $c (i32.load8_u (local.get $i)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
              (then (local.set $i (i32.add (local.get $i) (i32.const 1)))))
            (local.set $s (local.get $i))
            (local.set $i (call $digits (local.get $s)))
            (if (i32.eq (local.get $i) (local.get $s)) (then (return (i32.const 0))))))
          (br $value)))
        ;; "true", "null" and "alse" (after 'f') as little-endian words.
        (if (i32.eq (i32.load align=1 (local.get $i)) (i32.const 0x65757274)) (then
          (local.set $i (i32.add (local.get $i) (i32.const 4))) (br $value)))
        (if (i32.eq (i32.load align=1 (local.get $i)) (i32.const 0x6c6c756e)) (then
          (local.set $i (i32.add (local.get $i) (i32.const 4))) (br $value)))
        (if (i32.and (i32.eq (local.get $c) (i32.const 0x66))
                     (i32.eq (i32.load offset=1 align=1 (local.get $i)) (i32.const 0x65736c61))) (then
          (local.set $i (i32.add (local.get $i) (i32.const 5))) (br $value)))
        (return (i32.const 0)))
      ;; After a value: a comma, or the ends of the containers it closes.
      (loop $after
        (local.set $c (i32.load8_u (local.get $i)))
        (local.set $open (i32.load8_u (i32.sub (local.get $depth) (i32.const 1))))
        (if (i32.eq (local.get $c) (i32.const 0x2c)) (then
          (local.set $key (i32.eq (local.get $open) (i32.const 1)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $token)))
        (if (i32.or (i32.and (i32.eq (local.get $c) (i32.const 0x7d)) (i32.eq (local.get $open) (i32.const 1)))
                    (i32.and (i32.eq (local.get $c) (i32.const 0x5d)) (i32.eq (local.get $open) (i32.const 2)))) (then
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (local.set $depth (i32.sub (local.get $depth) (i32.const 1)))
          (if (i32.eqz (local.get $depth)) (then (return (i32.eq (local.get $i) (local.get $end)))))
          (br $after)))
        (return (i32.const 0))))
    (i32.const 0))
)
