"""Local simulators of systems outside our walls, speaking their real protocols over HTTP.

Each simulator is a small WSGI app mounted under a prefix of one server
(``chinhquyenso simulators``, default http://127.0.0.1:8765). Tests start the same server in a
thread on a free port. Simulators keep their state in memory and show it on an HTML page, so a
demo user can see the SMS that "was sent" or pay on the "gateway" page.
"""
