"""Child process for PDF attachments: pypdf on a crafted file can loop for minutes or eat
gigabytes (recursive objects, page trees that are graphs), and neither can be stopped from
inside the web process. The parent (lessons.attachments.files) runs this file with a timeout; it
caps its own address space, reads the PDF on stdin and answers one JSON line on stdout.

    python attachment_worker.py check|extract MAX_ADDRESS_BYTES MAX_PAGES MAX_CHARS < file.pdf

No Django here: the child starts fast and trusts nothing but its arguments."""
import io
import json
import resource
import sys


class TooManyPages(Exception):
    pass


def limit_memory(max_bytes):
    resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))


def peak_bytes():
    """This process's peak resident memory. /proc first: after fork+exec, ru_maxrss still
    counts the parent's image."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def count_pages(reader, max_pages):
    """Leaves of the page tree, walked with a budget: a /Kids graph that loops or reuses
    its nodes (a million 'pages' from a few objects) runs out of budget, not of memory."""
    budget = max_pages * 4 + 100
    stack = [reader.trailer["/Root"].get_object()["/Pages"]]
    pages = 0
    while stack:
        budget -= 1
        if budget < 0:
            raise TooManyPages
        node = stack.pop().get_object()
        kids = node.get("/Kids") if hasattr(node, "get") else None
        if kids is None:
            pages += 1
            if pages > max_pages:
                raise TooManyPages
        else:
            stack.extend(reversed(list(kids.get_object())))
    return pages


def run(mode, data, max_pages, max_chars):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        return {"status": "encrypted"}
    pages = count_pages(reader, max_pages)
    if pages == 0:
        return {"status": "unreadable", "error": "no pages"}
    if mode == "check":
        return {"status": "ok", "pages": pages}
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text) + 1
        if size >= max_chars:
            break
    return {"status": "ok", "pages": pages, "text": "\n".join(filter(None, parts))[:max_chars]}


def main(argv):
    mode, max_bytes, max_pages, max_chars = argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    data = sys.stdin.buffer.read()
    limit_memory(max_bytes)
    try:
        answer = run(mode, data, max_pages, max_chars)
    except TooManyPages:
        answer = {"status": "too_many_pages"}
    except MemoryError:
        answer = {"status": "too_large"}
    except Exception as error:  # noqa: BLE001
        # pypdf's own cap on decompressed streams says the same thing as our memory cap.
        too_large = type(error).__name__ == "LimitReachedError"
        answer = {"status": "too_large" if too_large else "unreadable", "error": f"{type(error).__name__}: {str(error)[:200]}"}
    except BaseException as error:  # noqa: BLE001 - any parser failure is "unreadable"
        answer = {"status": "unreadable", "error": f"{type(error).__name__}: {str(error)[:200]}"}
    answer["peak_bytes"] = peak_bytes()
    sys.stdout.write(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv)
