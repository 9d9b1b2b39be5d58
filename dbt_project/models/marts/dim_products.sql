with

products as (
    select * from {{ ref('stg_policy__products') }}
)

select
    product_code,
    product_name,
    line_of_business,
    term_days,
    launched_on
from products
