"""SPEC §2.1: lines, CR segments, partial text, long lines, UTF-8 repair, order, volume."""

import os
import tempfile
import time
import unittest

from harness import Ssetail, lines_of, output


def run_json(script, *options):
    with Ssetail(["--linger", *options, "--", "sh", "-c", script]) as s:
        _, events = s.events("/events?format=json")
    return [(e.type, e.json()) for e in events if e.type in ("stdout", "stderr")]


def texts(segments):
    return [(kind, seg["text"], seg.get("cr", False), seg.get("partial", False))
            for kind, seg in segments]


class Segments(unittest.TestCase):
    def test_lf_and_crlf_end_lines(self):
        self.assertEqual(texts(run_json(r"printf 'unix\ndos\r\n\nlast\n'")),
                         [("stdout", "unix", False, False), ("stdout", "dos", False, False),
                          ("stdout", "", False, False), ("stdout", "last", False, False)])

    def test_lone_cr_ends_an_overwrite_segment(self):
        self.assertEqual(texts(run_json(r"printf '10%%\r50%%\r100%%\n'")),
                         [("stdout", "10%", True, False), ("stdout", "50%", True, False),
                          ("stdout", "100%", False, False)])

    def test_text_without_newline_is_sent_as_partial_while_the_command_waits(self):
        """A prompt without its newline reaches a client while the command still waits (it
        goes on only once the test received it, through a gate file: no clock), marked
        partial; the line goes on after it, and text the command ends without a newline is
        partial too."""
        with tempfile.TemporaryDirectory() as tmp:
            gate = os.path.join(tmp, "gate")
            script = ("printf 'Password: '; while [ ! -e \"$1\" ]; do sleep 0.02; done; "
                      "printf 'ok\\n'; printf 'end'")
            with Ssetail(["--linger", "--", "sh", "-c", script, "sh", gate]) as s:
                with s.stream("/events?format=json", timeout=30) as stream:
                    events = (e for e in stream if e.type in ("stdout", "stderr"))
                    first = next(events, None)
                    self.assertIsNotNone(first, "no partial while the command waits: " +
                                         ("the stream ended" if stream.ended else "none in 30 s"))
                    open(gate, "w").close()
                    rest = [next(events, None), next(events, None)]
        self.assertIsNotNone(rest[-1], "the line did not go on after the gate opened")
        self.assertEqual(texts([(e.type, e.json()) for e in [first, *rest]]),
                         [("stdout", "Password: ", False, True), ("stdout", "ok", False, False),
                          ("stdout", "end", False, True)])

    def test_lines_over_64_kib_are_split_at_a_character_boundary(self):
        # 65535 'a' then a 3-byte euro sign straddling the limit, then 'b'
        script = "head -c 65535 /dev/zero | tr '\\0' a; printf '\\342\\202\\254b\\n'"
        segments = run_json(script)
        self.assertEqual(len(segments), 2)
        self.assertEqual(segments[0][1]["text"], "a" * 65535)
        self.assertTrue(segments[0][1]["partial"])
        self.assertEqual(segments[1][1]["text"], "\u20acb")
        self.assertNotIn("partial", segments[1][1])

    def test_invalid_utf8_and_nul_become_replacement_characters(self):
        segments = run_json(r"printf 'a\000b\377c\303\n\342\202\254ok\n'")
        self.assertEqual([seg["text"] for _, seg in segments], ["a\ufffdb\ufffdc\ufffd", "\u20acok"])

    def test_escape_sequences_are_kept(self):
        segments = run_json(r"printf '\033[31mred\033[0m\ttab\n'")
        self.assertEqual(segments[0][1]["text"], "\x1b[31mred\x1b[0m\ttab")

    def test_default_format_data_is_the_text(self):
        with Ssetail(["--linger", "--", "sh", "-c", "printf '<b>&amp; \"q\"\\n'"]) as s:
            _, events = s.events()
        self.assertEqual(lines_of(events), ['<b>&amp; "q"'])


class Order(unittest.TestCase):
    def test_one_global_order_across_stdout_and_stderr(self):
        script = "for i in 1 2 3 4 5; do echo out$i; sleep 0.02; echo err$i >&2; sleep 0.02; done"
        with Ssetail(["--linger", "--", "sh", "-c", script]) as s:
            _, events = s.events()
        expected = []
        for i in range(1, 6):
            expected += [("stdout", f"out{i}"), ("stderr", f"err{i}")]
        self.assertEqual(output(events), expected)
        seqs = [int(e.id.split(".")[1]) for e in events]
        self.assertEqual(seqs, list(range(1, len(events) + 1)))
        run_ids = {e.id.split(".")[0] for e in events}
        self.assertEqual(len(run_ids), 1)

    def test_gigabytes_on_both_streams_never_deadlock(self):
        # 200 MB on each stream at the same time; nothing reads the client side.
        script = "head -c 200000000 /dev/zero | tr '\\0' 'x' | fold -w 99 & " \
                 "head -c 200000000 /dev/zero | tr '\\0' 'y' | fold -w 99 >&2; wait"
        s = Ssetail(["--history", "1000", "--", "sh", "-c", script])
        self.assertEqual(s.wait(120), 0)


if __name__ == "__main__":
    unittest.main()
