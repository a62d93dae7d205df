"""REST API of petition items: register, read (masked), and one POST endpoint per life-cycle step."""
