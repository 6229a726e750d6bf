# ruff: noqa: E501  (gold SQL strings are kept whole)
"""Questions on the retail `shopdb` fixture with hand-written gold SQL (SQLite). Same format as
questions_sp500.py. The engine has never been tuned on this schema's names."""

from __future__ import annotations

from tests.engine.questions_sp500 import Q, conv, q

Y24 = "o.order_date >= '2024-01-01' AND o.order_date < '2025-01-01'"
LINE = "oi.quantity * oi.unit_price * (1 - oi.discount)"

QUESTIONS: list[Q] = [
    q("count", "how many customers are there", "SELECT COUNT(*) FROM customers"),
    q("count", "How many suppliers do we work with?", "SELECT COUNT(*) FROM suppliers"),
    q("count", "how many orders were cancelled", "SELECT COUNT(*) FROM orders WHERE status = 'cancelled'"),
    q(
        "count",
        "how many orders came through the web channel",
        "SELECT COUNT(*) FROM orders WHERE channel = 'web'",
    ),
    q("count", "How many shipments went by FedEx?", "SELECT COUNT(*) FROM shipments WHERE carrier = 'FedEx'"),
    q(
        "list",
        "list the products in the Furniture category",
        "SELECT product_name FROM products WHERE category = 'Furniture'",
    ),
    q(
        "list",
        "which suppliers are from Canada",
        "SELECT supplier_name FROM suppliers WHERE country = 'Canada'",
    ),
    q(
        "list",
        "list customers in the Corporate segment from Germany",
        "SELECT full_name FROM customers WHERE segment = 'Corporate' AND country = 'Germany'",
    ),
    q(
        "list",
        "show the customers from the United States",
        "SELECT full_name FROM customers WHERE country = 'USA'",
    ),
    q("list", "list discontinued products", "SELECT product_name FROM products WHERE discontinued = 1"),
    q("list", "what categories of products are there", "SELECT DISTINCT category FROM products"),
    q(
        "lookup",
        "what is the unit price of the Ergonomic Office Chair",
        "SELECT unit_price FROM products WHERE product_name = 'Ergonomic Office Chair'",
    ),
    q(
        "lookup",
        "which country is Papyrus Mills in",
        "SELECT country FROM suppliers WHERE supplier_name = 'Papyrus Mills'",
    ),
    q(
        "lookup",
        "what segment is Gina Owens in",
        "SELECT segment FROM customers WHERE full_name = 'Gina Owens'",
    ),
    q("aggregate", "average discount on order items", "SELECT AVG(discount) FROM order_items"),
    q("aggregate", "average order quantity", "SELECT AVG(quantity) FROM order_items"),
    q(
        "aggregate",
        "average unit price of Technology products",
        "SELECT AVG(unit_price) FROM products WHERE category = 'Technology'",
    ),
    q("aggregate", "what is the most recent order date", "SELECT MAX(order_date) FROM orders"),
    q(
        "aggregate",
        "total shipping cost in 2024",
        "SELECT SUM(cost) FROM shipments WHERE shipped_on >= '2024-01-01' AND shipped_on < '2025-01-01'",
    ),
    q(
        "count_distinct",
        "how many distinct categories are there",
        "SELECT COUNT(DISTINCT category) FROM products",
    ),
    q(
        "count_distinct",
        "how many different countries are our customers from",
        "SELECT COUNT(DISTINCT country) FROM customers",
    ),
    q(
        "group",
        "average unit price per category",
        "SELECT category, AVG(unit_price) FROM products GROUP BY category",
    ),
    q("group", "number of customers per country", "SELECT country, COUNT(*) FROM customers GROUP BY country"),
    q("group", "how many orders per status", "SELECT status, COUNT(*) FROM orders GROUP BY status"),
    q(
        "group",
        "average shipping cost by carrier",
        "SELECT carrier, AVG(cost) FROM shipments GROUP BY carrier",
    ),
    q(
        "group",
        "how many products does each supplier provide",
        "SELECT s.supplier_name, COUNT(*) FROM products p JOIN suppliers s ON s.supplier_id = p.supplier_id "
        "GROUP BY s.supplier_id",
    ),
    q(
        "group",
        "how many customers are in each segment",
        "SELECT segment, COUNT(*) FROM customers GROUP BY segment",
    ),
    q(
        "group",
        "number of customers who joined each year",
        "SELECT CAST(strftime('%Y', joined_on) AS INT), COUNT(*) FROM customers GROUP BY 1",
    ),
    q(
        "group",
        "total quantity sold per product category",
        "SELECT p.category, SUM(oi.quantity) FROM order_items oi JOIN products p ON p.product_id = oi.product_id "
        "GROUP BY p.category",
    ),
    q(
        "topn",
        "top 5 most expensive products",
        "SELECT product_name FROM products ORDER BY unit_price DESC LIMIT 5",
        True,
    ),
    q(
        "topn",
        "the 5 cheapest products",
        "SELECT product_name FROM products ORDER BY unit_price ASC LIMIT 5",
        True,
    ),
    q(
        "topn",
        "which carrier handled the most shipments",
        "SELECT carrier FROM shipments GROUP BY carrier ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "topn",
        "top 3 customers by number of orders",
        "SELECT c.full_name, COUNT(*) FROM orders o JOIN customers c ON c.customer_id = o.customer_id "
        "GROUP BY c.customer_id ORDER BY 2 DESC LIMIT 3",
        True,
    ),
    q(
        "topn",
        "what is the most popular product",
        "SELECT p.product_name FROM order_items oi JOIN products p ON p.product_id = oi.product_id "
        "GROUP BY p.product_id ORDER BY COUNT(*) DESC LIMIT 1",
    ),
    q(
        "order",
        "list the suppliers sorted by name",
        "SELECT supplier_name FROM suppliers ORDER BY supplier_name",
        True,
    ),
    q(
        "filter_compare",
        "products cheaper than 20 dollars",
        "SELECT product_name FROM products WHERE unit_price < 20",
    ),
    q(
        "filter_compare",
        "how many order items have a discount above 0.1",
        "SELECT COUNT(*) FROM order_items WHERE discount > 0.1",
    ),
    q(
        "filter_compare",
        "how many products are not discontinued",
        "SELECT COUNT(*) FROM products WHERE discontinued = 0",
    ),
    q("filter_date", "how many orders were placed in 2024", "SELECT COUNT(*) FROM orders o WHERE " + Y24),
    q(
        "filter_date",
        "customers who joined after 2024-01-01",
        "SELECT full_name FROM customers WHERE joined_on > '2024-01-01'",
    ),
    q(
        "filter_date",
        "how many orders were placed in March 2024",
        "SELECT COUNT(*) FROM orders WHERE order_date >= '2024-03-01' AND order_date < '2024-04-01'",
    ),
    q(
        "filter_date",
        "how many shipments were delivered in the last 30 days",
        "SELECT COUNT(*) FROM shipments WHERE delivered_on > '2024-12-01'",
    ),
    q(
        "combo",
        "number of orders per channel in 2024",
        "SELECT channel, COUNT(*) FROM orders o WHERE " + Y24 + " GROUP BY channel",
    ),
    q(
        "combo",
        "number of orders per month in 2023",
        "SELECT strftime('%Y-%m', order_date), COUNT(*) FROM orders WHERE order_date >= '2023-01-01' "
        "AND order_date < '2024-01-01' GROUP BY 1",
    ),
    q(
        "combo",
        "average shipping cost per carrier in 2023",
        "SELECT carrier, AVG(cost) FROM shipments WHERE shipped_on >= '2023-01-01' AND shipped_on < '2024-01-01' "
        "GROUP BY carrier",
    ),
    q(
        "join",
        "list the orders of Gina Owens",
        "SELECT o.order_id FROM orders o JOIN customers c ON c.customer_id = o.customer_id WHERE c.full_name = 'Gina Owens'",
    ),
    q(
        "join",
        "which products are supplied by Northwind Furnishings",
        "SELECT p.product_name FROM products p JOIN suppliers s ON s.supplier_id = p.supplier_id "
        "WHERE s.supplier_name = 'Northwind Furnishings'",
    ),
    q(
        "join",
        "which customers placed more than 20 orders",
        "SELECT c.full_name FROM customers c JOIN orders o ON o.customer_id = c.customer_id "
        "GROUP BY c.customer_id HAVING COUNT(*) > 20",
    ),
    q(
        "join",
        "how many orders did customers from Canada place",
        "SELECT COUNT(*) FROM orders o JOIN customers c ON c.customer_id = o.customer_id WHERE c.country = 'Canada'",
    ),
    q(
        "join",
        "total quantity of Chairs sold",
        "SELECT SUM(oi.quantity) FROM order_items oi JOIN products p ON p.product_id = oi.product_id "
        "WHERE p.subcategory = 'Chairs'",
    ),
    q("join", "what is the total revenue from order items", f"SELECT SUM({LINE}) FROM order_items oi"),
    q(
        "join",
        "revenue per category",
        f"SELECT p.category, SUM({LINE}) FROM order_items oi JOIN products p ON p.product_id = oi.product_id "
        "GROUP BY p.category",
    ),
    q(
        "group",
        "which categories have an average unit price over 100",
        "SELECT category FROM products GROUP BY category HAVING AVG(unit_price) > 100",
    ),
]

CONVERSATIONS: list[list[Q]] = [
    conv(
        ("how many orders were placed in 2024", "SELECT COUNT(*) FROM orders o WHERE " + Y24),
        (
            "and per month?",
            "SELECT strftime('%Y-%m', o.order_date), COUNT(*) FROM orders o WHERE " + Y24 + " GROUP BY 1",
        ),
        (
            "only through the web channel",
            "SELECT strftime('%Y-%m', o.order_date), COUNT(*) FROM orders o WHERE "
            + Y24
            + " AND channel = 'web' GROUP BY 1",
        ),
    ),
    conv(
        (
            "list the products in the Furniture category",
            "SELECT product_name FROM products WHERE category = 'Furniture'",
        ),
        (
            "sort by unit price",
            "SELECT product_name FROM products WHERE category = 'Furniture' ORDER BY unit_price DESC",
            True,
        ),
        (
            "top 3 instead",
            "SELECT product_name FROM products WHERE category = 'Furniture' ORDER BY unit_price DESC LIMIT 3",
            True,
        ),
    ),
]
