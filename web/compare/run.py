import asyncio, http.server, threading, functools
CSP = "default-src 'self'; style-src 'self'; script-src 'self'"
class H(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("Content-Security-Policy", CSP); super().end_headers()
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(H, directory="/tmp/probe"))
threading.Thread(target=srv.serve_forever, daemon=True).start()
from playwright.async_api import async_playwright
async def main():
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless=new", "--no-sandbox"])
        page = await b.new_page()
        msgs = []
        page.on("console", lambda m: msgs.append(m.text))
        await page.goto(f"http://127.0.0.1:{srv.server_address[1]}/")
        await page.wait_for_function("document.body.dataset.result")
        print(await page.evaluate("document.body.dataset.result"))
        print("console:", msgs)
        await b.close()
asyncio.run(main())
