"""The admin area: people and organisations (views), certificates, exports, and their forms."""
