"""Taking part by e-mail: the reply address each notification carries, and the mail
that comes back to it, turned into a reply by the same service as the site.

keys.py makes and reads the reply addresses; parsing.py reads a message (the text
above the quotes, what kind of message it is); inbound.py decides what becomes of
it; answers.py writes back when it is refused; listener.py is the SMTP/LMTP server.
"""
